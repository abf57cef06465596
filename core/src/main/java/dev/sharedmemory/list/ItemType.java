package dev.sharedmemory.list;

/**
 * The types of a {@link dev.sharedmemory.ShareableList} item, as Python tells them apart.
 */
public enum ItemType {

	/** A Python int, a Java {@code Long}. */
	INT("an int (Long)"),

	/** A Python float, a Java {@code Double}. */
	FLOAT("a float (Double)"),

	/** A Python bool, a Java {@code Boolean}. */
	BOOL("a bool (Boolean)"),

	/** Python's None, Java's {@code null}. */
	NONE("None (null)"),

	/** A Python str, a Java {@code String}. */
	STR("a str (String)"),

	/** A Python bytes, a Java {@code byte[]}. */
	BYTES("a bytes (byte[])");

	private final String description;

	ItemType(String description) {
		this.description = description;
	}

	/**
	 * Describes the type in both languages, as error messages name it.
	 * @return such as {@code an int (Long)}
	 */
	public String description() {
		return this.description;
	}

}
