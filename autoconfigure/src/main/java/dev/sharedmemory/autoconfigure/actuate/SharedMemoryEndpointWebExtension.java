package dev.sharedmemory.autoconfigure.actuate;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the {@link SharedMemoryEndpoint}: answers
 * {@code 404 Not Found} to a request to unlink a block the manager does not track.
 */
@EndpointWebExtension(endpoint = SharedMemoryEndpoint.class)
public class SharedMemoryEndpointWebExtension {

	private final SharedMemoryEndpoint delegate;

	/**
	 * Creates a web extension of the given endpoint.
	 * @param delegate the endpoint
	 */
	public SharedMemoryEndpointWebExtension(SharedMemoryEndpoint delegate) {
		this.delegate = delegate;
	}

	/**
	 * Unlinks a block the manager created.
	 * @param name the block's name
	 * @return {@code 204 No Content} once unlinked, {@code 404 Not Found} if the manager does not track that name
	 */
	@DeleteOperation
	public WebEndpointResponse<Void> unlink(@Selector String name) {
		boolean unlinked = this.delegate.unlink(name) != null;
		return new WebEndpointResponse<>(
				unlinked ? WebEndpointResponse.STATUS_NO_CONTENT : WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
