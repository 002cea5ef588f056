/*
 * Reads a batch of packets from a libpcap handle in one JNI call, so that reading through
 * libpcap costs one Java-to-native transition per batch instead of one per packet, and copies
 * each packet once: from libpcap's buffer straight into the Java array the decoder reads.
 *
 * libpcap's pcap_next_ex is called through a function pointer that Java passes in (resolved by
 * JNA from the libpcap it already loaded), so this library links to nothing but libc.
 *
 * The array is pinned (GetPrimitiveArrayCritical) for the whole batch: that holds off the
 * garbage collector for the time of up to max_packets reads from a file, which is what the
 * single copy costs. Each packet is written as: int64 seconds, int64 fraction (nanoseconds when
 * the handle was opened with nanosecond precision), int32 captured length, int32 wire length,
 * then the captured bytes, padded to a multiple of 8, in the platform's byte order. The first 8
 * bytes of the array hold the batch's status.
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

#define FIRST_RECORD 8

/*
 * Reads while the array has room for one more packet of the handle's snapshot length (libpcap
 * never captures more) and fewer than max_packets were read. Returns the number written. The status (int32 at offset 0) is 1 when the batch is
 * full, 0 when libpcap timed out, -1 on an error, -2 at the end of a file; -3 when the array
 * could not be pinned.
 */
JNIEXPORT jint JNICALL Java_io_podflow_agent_capture_libpcap_BatchReader_nextBatch(
    JNIEnv *env, jclass cls, jlong next_ex, jlong pcap, jbyteArray batch, jint max_packets,
    jint snapshot) {
  (void)cls;
  pcap_next_ex_fn next = (pcap_next_ex_fn)(intptr_t)next_ex;
  jsize capacity = (*env)->GetArrayLength(env, batch);
  unsigned char *out = (unsigned char *)(*env)->GetPrimitiveArrayCritical(env, batch, NULL);
  if (out == NULL) {
    return -3;
  }
  int64_t used = FIRST_RECORD;
  int32_t status = 1;
  int n = 0;
  int64_t max_record = 24 + (((int64_t)snapshot + 7) & ~(int64_t)7);
  while (n < max_packets && capacity - used >= max_record) {
    struct podflow_pkthdr *header;
    const unsigned char *data;
    int r = next((void *)(intptr_t)pcap, &header, &data);
    if (r != 1) {
      status = r;
      break;
    }
    int64_t seconds = (int64_t)header->ts.tv_sec;
    int64_t fraction = (int64_t)header->ts.tv_usec;
    int32_t captured = header->caplen > (uint32_t)snapshot ? snapshot : (int32_t)header->caplen;
    int32_t wire = (int32_t)header->len;
    memcpy(out + used, &seconds, 8);
    memcpy(out + used + 8, &fraction, 8);
    memcpy(out + used + 16, &captured, 4);
    memcpy(out + used + 20, &wire, 4);
    memcpy(out + used + 24, data, (size_t)captured);
    used += 24 + (((int64_t)captured + 7) & ~(int64_t)7);
    n++;
  }
  memcpy(out, &status, 4);
  (*env)->ReleasePrimitiveArrayCritical(env, batch, out, 0);
  return n;
}
