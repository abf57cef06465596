/**
 * The subset of Python's pickle format (protocols 2 to 5) that the manager protocol
 * needs: None, bools, ints, floats, str, bytes, tuples, lists and dicts. The decoder is a
 * whitelist: any opcode that names a global or builds an object is refused before
 * anything else happens, and no forged length makes it allocate more than the message
 * holds.
 */
@NullMarked
package dev.sharedmemory.protocol.pickle;

import org.jspecify.annotations.NullMarked;
