package io.podflow.processor.sink.opensearch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The documents a writer holds at a checkpoint (buffered, or waiting for OpenSearch to take them):
 * in the checkpoint, so a checkpoint never waits for OpenSearch to come back and a restore sends
 * them again (their ids make that an overwrite).
 */
public record PendingDocuments(List<Document> documents) {
  public PendingDocuments {
    documents = List.copyOf(documents);
  }

  /** Version 1: a count, then each document's index, id, and JSON length and bytes. */
  static final class Serializer implements SimpleVersionedSerializer<PendingDocuments> {
    static final Serializer INSTANCE = new Serializer();

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(PendingDocuments pending) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (DataOutputStream out = new DataOutputStream(bytes)) {
        out.writeInt(pending.documents.size());
        for (Document d : pending.documents) {
          out.writeUTF(d.index);
          out.writeUTF(d.id);
          out.writeInt(d.json.length);
          out.write(d.json);
        }
      }
      return bytes.toByteArray();
    }

    @Override
    public PendingDocuments deserialize(int version, byte[] serialized) throws IOException {
      if (version != 1) {
        throw new IOException("unknown version " + version + " of the OpenSearch writer's state");
      }
      try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
        int count = in.readInt();
        List<Document> documents = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          String index = in.readUTF();
          String id = in.readUTF();
          byte[] json = new byte[in.readInt()];
          in.readFully(json);
          documents.add(new Document(index, id, json));
        }
        return new PendingDocuments(documents);
      }
    }
  }
}
