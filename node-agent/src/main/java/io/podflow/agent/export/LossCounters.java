package io.podflow.agent.export;

/**
 * What one interface's capture has lost since it started, read each time one of its records is
 * built. Counts never decrease; a negative value means "not known now" (the interface's statistics
 * are not read yet) and the previous count is kept.
 */
public interface LossCounters {
  /** Nothing is ever lost: a capture file's replay, whose losses its summary reports instead. */
  LossCounters NONE =
      new LossCounters() {
        @Override
        public long kernelDrops() {
          return 0;
        }

        @Override
        public long decoderDrops() {
          return 0;
        }

        @Override
        public long flowsEvicted() {
          return 0;
        }
      };

  /** Packets the kernel and the interface dropped. */
  long kernelDrops();

  /** Frames the decoder could not read (malformed, cut short). */
  long decoderDrops();

  /** Flows exported early because the table or the agent's budget was full. */
  long flowsEvicted();
}
