/** Reading a network from any file format the engine knows (by content) and writing it (by name). */
package io.ispasp.modelfile;
