/**
 * Web concerns shared by the controllers: errors as RFC 9457 problem details.
 */
@NullMarked
package dev.sharedmemory.sample.web;

import org.jspecify.annotations.NullMarked;
