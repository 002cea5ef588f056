package io.podflow.processor.job;

/** A record the job could not use: its bytes as they came and why (a Flink POJO). */
public final class DeadLetter {
  public String reason;
  public byte[] value;

  public DeadLetter() {}

  public DeadLetter(String reason, byte[] value) {
    this.reason = reason;
    this.value = value;
  }
}
