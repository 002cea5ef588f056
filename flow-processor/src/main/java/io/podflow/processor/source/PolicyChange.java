package io.podflow.processor.source;

/**
 * One record of the compacted policy topic: its key ({@code cluster/namespace/name}) and the
 * object's JSON, or null when the object was deleted. A plain Flink POJO (public fields, no-arg
 * constructor) so that a null value survives Flink's serializer.
 */
public final class PolicyChange {
  public String key;
  public byte[] value;

  public PolicyChange() {}

  public PolicyChange(String key, byte[] value) {
    this.key = key;
    this.value = value;
  }
}
