/**
 * Small I/O helpers: JSON, atomic file writes and checked input and output streams.
 */
package io.ispasp.io;
