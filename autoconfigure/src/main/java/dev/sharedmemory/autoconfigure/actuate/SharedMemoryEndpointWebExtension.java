package dev.sharedmemory.autoconfigure.actuate;

import dev.sharedmemory.autoconfigure.actuate.SharedMemoryEndpoint.BlockDescriptor;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * {@link EndpointWebExtension @EndpointWebExtension} for the
 * {@link SharedMemoryEndpoint}: answers {@code 404 Not Found} for a block no manager
 * tracks, {@code 204 No Content} once a block is unlinked and {@code 400 Bad Request} for
 * a name several managers track when no {@code manager} was given.
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
	 * Describes one block a manager tracks.
	 * @param name the block's name
	 * @param manager the bean name of the manager to look in, or {@code null} to look in
	 * every manager
	 * @return the block, {@code 404 Not Found} if no manager looked in tracks that name,
	 * {@code 400 Bad Request} if several do
	 */
	@ReadOperation
	public WebEndpointResponse<BlockDescriptor> block(@Selector String name, @Nullable String manager) {
		try {
			BlockDescriptor block = this.delegate.block(name, manager);
			return (block != null) ? new WebEndpointResponse<>(block)
					: new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
		}
		catch (NonUniqueBlockException ex) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_BAD_REQUEST);
		}
	}

	/**
	 * Unlinks a block a manager created.
	 * @param name the block's name
	 * @param manager the bean name of the manager to look in, or {@code null} to look in
	 * every manager
	 * @return {@code 204 No Content} once unlinked, {@code 404 Not Found} if no manager
	 * looked in tracks that name, {@code 400 Bad Request} if several do
	 */
	@DeleteOperation
	public WebEndpointResponse<Void> unlink(@Selector String name, @Nullable String manager) {
		try {
			boolean unlinked = this.delegate.unlink(name, manager) != null;
			return new WebEndpointResponse<>(
					unlinked ? WebEndpointResponse.STATUS_NO_CONTENT : WebEndpointResponse.STATUS_NOT_FOUND);
		}
		catch (NonUniqueBlockException ex) {
			return new WebEndpointResponse<>(WebEndpointResponse.STATUS_BAD_REQUEST);
		}
	}

}
