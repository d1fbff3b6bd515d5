/**
 * Text for sentence encoders: {@link io.ispasp.text.SentenceTokenizer} turns sentences into the model's token ids
 * with the model's own {@code tokenizer.json}, through Hugging Face's tokenizers library (DJL's Java binding, whose
 * jar carries the native library, so it works offline).
 */
package io.ispasp.text;
