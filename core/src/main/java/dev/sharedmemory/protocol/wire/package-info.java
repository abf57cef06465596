/**
 * The bytes of {@code multiprocessing.connection}: length-prefixed messages and the
 * mutual HMAC challenge of CPython 3.9 to 3.13, each side of it. Works on plain streams,
 * so that it can be tested without a socket.
 */
@NullMarked
package dev.sharedmemory.protocol.wire;

import org.jspecify.annotations.NullMarked;
