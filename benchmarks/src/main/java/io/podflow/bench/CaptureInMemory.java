package io.podflow.bench;

import io.podflow.agent.capture.CaptureFileReader;
import io.podflow.agent.capture.FrameHandler;
import java.nio.file.Path;
import java.util.Arrays;

/** A capture file's frames held in memory (one array), to replay without I/O. */
final class CaptureInMemory {
  byte[] data = new byte[1 << 20];
  int[] offset = new int[1 << 16];
  int[] captured = new int[1 << 16];
  int[] wire = new int[1 << 16];
  int[] linkType = new int[1 << 16];
  long[] timestamp = new long[1 << 16];
  int frames;
  private int used;

  static CaptureInMemory load(Path file) {
    CaptureInMemory m = new CaptureInMemory();
    CaptureFileReader.read(
        file,
        (bytes, off, cap, w, lt, ts) -> {
          if (m.frames == m.offset.length) {
            int n = m.frames * 2;
            m.offset = Arrays.copyOf(m.offset, n);
            m.captured = Arrays.copyOf(m.captured, n);
            m.wire = Arrays.copyOf(m.wire, n);
            m.linkType = Arrays.copyOf(m.linkType, n);
            m.timestamp = Arrays.copyOf(m.timestamp, n);
          }
          if (m.used + cap > m.data.length) {
            m.data = Arrays.copyOf(m.data, Math.max(m.data.length * 2, m.used + cap));
          }
          System.arraycopy(bytes, off, m.data, m.used, cap);
          m.offset[m.frames] = m.used;
          m.captured[m.frames] = cap;
          m.wire[m.frames] = w;
          m.linkType[m.frames] = lt;
          m.timestamp[m.frames] = ts;
          m.used += cap;
          m.frames++;
        });
    return m;
  }

  void replay(FrameHandler handler) {
    for (int i = 0; i < frames; i++) {
      handler.frame(data, offset[i], captured[i], wire[i], linkType[i], timestamp[i]);
    }
  }
}
