package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.testing.Frames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileReaderTest {
  @TempDir Path dir;

  @Test
  void readsBigEndianNanosecondPcap() throws IOException {
    byte[] frame = Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 3);
    Path file = pcap(ByteOrder.BIG_ENDIAN, 0xa1b23c4d, frame, 1_700_000_000L, 123_456_789);
    List<Long> timestamps = new ArrayList<>();

    CaptureFileReader.Result result =
        CaptureFileReader.read(file, (d, o, c, w, l, ts) -> timestamps.add(ts));

    assertThat(result.frames()).isEqualTo(1);
    assertThat(timestamps).containsExactly(1_700_000_000_123_456_789L);
  }

  @Test
  void aFileCutInsideItsLastRecordDeliversTheWholeFramesAndSaysSo() throws IOException {
    byte[] frame = Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 3);
    byte[] whole =
        Files.readAllBytes(pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, frame, 1, 2, frame, 3, 4));
    Path cut = dir.resolve("cut.pcap");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 5));
    int[] frames = {0};

    CaptureFileReader.Result result =
        CaptureFileReader.read(cut, (d, o, c, w, l, ts) -> frames[0]++);

    assertThat(frames[0]).isEqualTo(1);
    assertThat(result.truncated()).isTrue();
  }

  @Test
  void libpcapAlsoDeliversTheWholeFramesOfAFileCutShortAndSaysSo() throws IOException {
    byte[] frame = Frames.udp("10.0.0.1", 1, "10.0.0.2", 2, 3);
    byte[] whole =
        Files.readAllBytes(pcap(ByteOrder.LITTLE_ENDIAN, 0xa1b2c3d4, frame, 1, 2, frame, 3, 4));
    Path cut = dir.resolve("cut-libpcap.pcap");
    Files.write(cut, java.util.Arrays.copyOf(whole, whole.length - 5));
    int[] frames = {0};

    CaptureFileReader.Result result =
        LibpcapFileReader.read(cut, (d, o, c, w, l, ts) -> frames[0]++);

    assertThat(frames[0]).isEqualTo(1);
    assertThat(result.frames()).isEqualTo(1);
    assertThat(result.truncated()).isTrue();
  }

  @Test
  void refusesAFileThatIsNoCaptureWithAClearMessage() throws IOException {
    Path text = dir.resolve("notes.pcap");
    Files.writeString(text, "these are not packets");

    assertThatThrownBy(() -> CaptureFileReader.read(text, (d, o, c, w, l, ts) -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("neither pcap nor pcapng");
  }

  /** A pcap file; {@code records} are (frame, seconds, fraction) triples. */
  private Path pcap(ByteOrder order, int magic, Object... records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer header = ByteBuffer.allocate(24).order(order);
    header.putInt(magic).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    header.putInt(65535).putInt(LinkType.ETHERNET);
    out.write(header.array());
    for (int i = 0; i < records.length; i += 3) {
      byte[] frame = (byte[]) records[i];
      ByteBuffer record = ByteBuffer.allocate(16).order(order);
      record
          .putInt(((Number) records[i + 1]).intValue())
          .putInt(((Number) records[i + 2]).intValue());
      record.putInt(frame.length).putInt(frame.length);
      out.write(record.array());
      out.write(frame);
    }
    Path file = dir.resolve("capture-" + System.nanoTime() + ".pcap");
    Files.write(file, out.toByteArray());
    return file;
  }
}
