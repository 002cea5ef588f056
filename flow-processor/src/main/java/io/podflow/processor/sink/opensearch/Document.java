package io.podflow.processor.sink.opensearch;

/**
 * A document for an index: where it goes, its id (derived from its content, so that writing it
 * again after a replay overwrites it) and its JSON source in UTF-8. A Flink POJO.
 */
public final class Document {
  public String index;
  public String id;
  public byte[] json;

  public Document() {}

  public Document(String index, String id, byte[] json) {
    this.index = index;
    this.id = id;
    this.json = json;
  }
}
