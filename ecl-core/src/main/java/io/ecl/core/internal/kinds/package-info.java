/**
 * The kinds beyond counts, as self-contained parts the logging path plugs in: {@link
 * io.ecl.core.internal.kinds.RedisHll} (unique counts), {@link
 * io.ecl.core.internal.kinds.ValueSketch} (value statistics recorded in process), {@link
 * io.ecl.core.internal.kinds.SketchSnapshot} (what one drain or one Redis hash of values holds,
 * and its statistics) and {@link io.ecl.core.internal.kinds.SketchFields} (that hash's fields).
 * Internal: not exported by the module.
 */
package io.ecl.core.internal.kinds;
