/**
 * The kinds beyond counts, as self-contained parts the logging path plugs in: {@link
 * io.ecl.core.internal.kinds.ValueSketch} (value statistics recorded in process), {@link
 * io.ecl.core.internal.kinds.SketchSnapshot} (what one drain or one Redis hash holds, and the
 * statistics of it) and {@link io.ecl.core.internal.kinds.SketchFields} (their Redis hash).
 * Internal: not exported by the module.
 */
package io.ecl.core.internal.kinds;
