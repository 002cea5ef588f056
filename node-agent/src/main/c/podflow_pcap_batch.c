/*
 * Reads a batch of packets from a libpcap handle in one JNI call, so that reading through
 * libpcap costs one Java-to-native transition per batch instead of one per packet.
 *
 * libpcap's pcap_next_ex is called through a function pointer that Java passes in (resolved by
 * JNA from the libpcap it already loaded), so this library links to nothing but libc.
 *
 * Each packet is written to `buffer` as: int64 seconds, int64 fraction (nanoseconds when the
 * handle was opened with nanosecond precision), int32 captured length, int32 wire length, then
 * the captured bytes, padded to a multiple of 8.
 */
#include <jni.h>
#include <stdint.h>
#include <string.h>
#include <sys/time.h>

struct podflow_pkthdr {
  struct timeval ts;
  uint32_t caplen;
  uint32_t len;
};

typedef int (*pcap_next_ex_fn)(void *, struct podflow_pkthdr **, const unsigned char **);

/* Room kept free for one more packet: the largest snapshot length libpcap allows. */
#define MAX_RECORD (24 + 262144)

/*
 * Returns the number of packets written. *status (an int32 at `status_out`) is 1 when the batch
 * is full, 0 when libpcap timed out, -1 on an error, -2 at the end of a file.
 */
JNIEXPORT jint JNICALL Java_io_podflow_agent_capture_libpcap_BatchReader_nextBatch(
    JNIEnv *env, jclass cls, jlong next_ex, jlong pcap, jlong buffer, jint capacity,
    jint max_packets, jlong status_out) {
  (void)env;
  (void)cls;
  pcap_next_ex_fn next = (pcap_next_ex_fn)(intptr_t)next_ex;
  unsigned char *out = (unsigned char *)(intptr_t)buffer;
  int32_t *status = (int32_t *)(intptr_t)status_out;
  int64_t used = 0;
  int n = 0;
  *status = 1;
  while (n < max_packets && capacity - used >= MAX_RECORD) {
    struct podflow_pkthdr *header;
    const unsigned char *data;
    int r = next((void *)(intptr_t)pcap, &header, &data);
    if (r != 1) {
      *status = r;
      break;
    }
    int64_t seconds = (int64_t)header->ts.tv_sec;
    int64_t fraction = (int64_t)header->ts.tv_usec;
    int32_t captured = (int32_t)header->caplen;
    int32_t wire = (int32_t)header->len;
    memcpy(out + used, &seconds, 8);
    memcpy(out + used + 8, &fraction, 8);
    memcpy(out + used + 16, &captured, 4);
    memcpy(out + used + 20, &wire, 4);
    memcpy(out + used + 24, data, (size_t)captured);
    used += 24 + (((int64_t)captured + 7) & ~(int64_t)7);
    n++;
  }
  return n;
}
