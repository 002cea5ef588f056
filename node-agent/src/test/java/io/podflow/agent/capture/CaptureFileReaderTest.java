package io.podflow.agent.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.podflow.agent.decode.LinkType;
import io.podflow.agent.testing.CaptureBytes;
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

  @Test
  void aRecordLengthOf0x7fffffffIsDamageNamingTheFileAndTheRecordsOffset() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcap(frames);
    int fourth = CaptureBytes.pcapRecordOffset(frames, 3);
    CaptureBytes.putInt(bytes, fourth + 8, 0x7fffffff);
    Path file = dir.resolve("huge-record.pcap");
    Files.write(file, bytes);
    int[] delivered = {0};

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> delivered[0]++))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining(file + " is damaged at byte " + fourth)
        .hasMessageContaining("record 4 claims 2147483647 captured bytes");
    assertThat(delivered[0]).isEqualTo(3);
  }

  @Test
  void aRecordLengthWithTheTopBitSetIsDamageNotANegativeLength() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcap(frames);
    int second = CaptureBytes.pcapRecordOffset(frames, 1);
    CaptureBytes.putInt(bytes, second + 8, 0xfffffff0);
    Path file = dir.resolve("wrapping-record.pcap");
    Files.write(file, bytes);

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("damaged at byte " + second)
        .hasMessageContaining("claims 4294967280 captured bytes");
  }

  @Test
  void aFileEndingInsideARecordSaysAtWhichByteThatRecordBegins() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcap(frames);
    int last = CaptureBytes.pcapRecordOffset(frames, 14);
    Path file = dir.resolve("cut-at.pcap");
    Files.write(file, java.util.Arrays.copyOf(bytes, last + 20));

    CaptureFileReader.Result result = CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {});

    assertThat(result.frames()).isEqualTo(14);
    assertThat(result.truncated()).isTrue();
    assertThat(result.cutAt()).isEqualTo(last);
  }

  @Test
  void aWholeFileHasNoCut() throws IOException {
    Path file = dir.resolve("whole.pcapng");
    Files.write(file, CaptureBytes.pcapng(fifteenFrames()));

    CaptureFileReader.Result result = CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {});

    assertThat(result.frames()).isEqualTo(15);
    assertThat(result.truncated()).isFalse();
    assertThat(result.cutAt()).isEqualTo(-1);
  }

  @Test
  void aPcapngBlockLengthPastAnyFrameIsDamageNamingTheBlocksOffset() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcapng(frames);
    int fourth = CaptureBytes.pcapngBlockOffset(frames, 3);
    CaptureBytes.putInt(bytes, fourth + 4, 0x7ffffffc);
    Path file = dir.resolve("huge-block.pcapng");
    Files.write(file, bytes);
    int[] delivered = {0};

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> delivered[0]++))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining(file + " is damaged at byte " + fourth)
        .hasMessageContaining("a record of 2147483644 bytes");
    assertThat(delivered[0]).isEqualTo(3);
  }

  @Test
  void aPcapngBlockLengthWithTheTopBitSetIsDamageNotANegativeLength() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcapng(frames);
    int second = CaptureBytes.pcapngBlockOffset(frames, 1);
    CaptureBytes.putInt(bytes, second + 4, 0x80000020);
    Path file = dir.resolve("wrapping-block.pcapng");
    Files.write(file, bytes);

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("damaged at byte " + second)
        .hasMessageContaining("2147483680 bytes");
  }

  @Test
  void aPcapngPacketClaimingMoreBytesThanItsBlockHoldsIsDamage() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcapng(frames);
    int first = CaptureBytes.pcapngBlockOffset(frames, 0);
    CaptureBytes.putInt(bytes, first + 20, 0x7fffffff);
    Path file = dir.resolve("overlong-packet.pcapng");
    Files.write(file, bytes);

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("damaged at byte " + first)
        .hasMessageContaining("claims 2147483647 captured bytes");
  }

  @Test
  void aPcapngPacketBlockShorterThanItsFixedFieldsIsDamageNotAReadPastIt() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcapng(frames);
    int first = CaptureBytes.pcapngBlockOffset(frames, 0);
    CaptureBytes.putInt(bytes, first + 4, 16);
    Path file = dir.resolve("short-block.pcapng");
    Files.write(file, bytes);

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("damaged at byte " + first)
        .hasMessageContaining("type 6 and length 16 (at least 32");
  }

  @Test
  void aPcapngPacketForAnInterfaceTheSectionLacksIsDamage() throws IOException {
    List<byte[]> frames = fifteenFrames();
    byte[] bytes = CaptureBytes.pcapng(frames);
    int second = CaptureBytes.pcapngBlockOffset(frames, 1);
    CaptureBytes.putInt(bytes, second + 8, -1);
    Path file = dir.resolve("no-such-interface.pcapng");
    Files.write(file, bytes);

    assertThatThrownBy(() -> CaptureFileReader.read(file, (d, o, c, w, l, ts) -> {}))
        .isInstanceOf(CaptureFileException.class)
        .hasMessageContaining("damaged at byte " + second)
        .hasMessageContaining("interface 4294967295 of a section with 1");
  }

  private static List<byte[]> fifteenFrames() {
    List<byte[]> frames = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      frames.add(Frames.udp("10.0.0.1", 1000 + i, "10.0.0.2", 53, 10 + i));
    }
    return frames;
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
