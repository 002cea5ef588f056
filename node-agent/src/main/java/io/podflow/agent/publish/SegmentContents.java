package io.podflow.agent.publish;

import java.util.Arrays;

/**
 * A segment's whole records, as offsets into its bytes (one copy of the segment in memory, not one
 * array per record), and the damage skipped to find them.
 *
 * @param damagedRecords records lost to damage, an estimate: per damaged stretch, the record
 *     markers in it or its size over the segment's mean record, whichever is more, at least one (a
 *     zero-filled region keeps no marker)
 * @param damagedBytes bytes skipped
 */
record SegmentContents(
    byte[] data, int[] starts, int[] lengths, long damagedRecords, long damagedBytes) {

  int count() {
    return starts.length;
  }

  /** A copy of record {@code i}'s payload. */
  byte[] record(int i) {
    return Arrays.copyOfRange(data, starts[i], starts[i] + lengths[i]);
  }

  /** The bytes the record takes in its segment, framing included. */
  long framedBytes(int i, boolean legacy) {
    return lengths[i] + (legacy ? 4 : SegmentFormat.OVERHEAD);
  }

  boolean damaged() {
    return damagedRecords > 0;
  }
}
