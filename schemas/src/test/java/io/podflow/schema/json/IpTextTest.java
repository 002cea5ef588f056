package io.podflow.schema.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpTextTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "10.1.0.5, 10.1.0.5",
    "0.0.0.0, 0.0.0.0",
    "255.255.255.255, 255.255.255.255",
    "2001:db8:0:0:0:0:0:1, 2001:db8::1",
    "0:0:0:0:0:0:0:0, ::",
    "0:0:0:0:0:0:0:1, ::1",
    "fe80:0:0:0:204:61ff:fe9d:f156, fe80::204:61ff:fe9d:f156",
    // A single zero group is not compressed (RFC 5952 4.2.2).
    "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
    // The longest run wins; on a tie, the first.
    "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "ff02:0:0:0:0:0:0:fb, ff02::fb",
    "2001:DB8:0:0:0:0:0:ABCD, 2001:db8::abcd",
  })
  void formatsAddressesInCanonicalText(String address, String expected) throws Exception {
    assertThat(IpText.format(InetAddress.getByName(address).getAddress())).isEqualTo(expected);
  }

  @org.junit.jupiter.api.Test
  void formatsIpv4MappedAddressesWithADottedQuad() {
    byte[] mapped = new byte[16];
    mapped[10] = (byte) 0xff;
    mapped[11] = (byte) 0xff;
    mapped[12] = (byte) 192;
    mapped[13] = 0;
    mapped[14] = 2;
    mapped[15] = 1;

    assertThat(IpText.format(mapped)).isEqualTo("::ffff:192.0.2.1");
  }

  @org.junit.jupiter.api.Test
  void rejectsByteArraysThatAreNotAddresses() {
    assertThatThrownBy(() -> IpText.format(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 or 16 bytes, not 5");
  }
}
