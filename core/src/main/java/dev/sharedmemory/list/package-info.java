/**
 * The binary format of a {@link dev.sharedmemory.ShareableList} as CPython writes it:
 * where every field lies, the rules between struct formats, back-transform codes and item
 * types, header validation, value encoding, and Python's {@code repr} and {@code ==} for
 * the values. Not API: public only so that {@code dev.sharedmemory} can use it, and free
 * to change in any release.
 */
@NullMarked
package dev.sharedmemory.list;

import org.jspecify.annotations.NullMarked;
