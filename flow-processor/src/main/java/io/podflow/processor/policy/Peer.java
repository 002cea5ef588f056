package io.podflow.processor.policy;

import io.podflow.schema.net.Cidr;
import java.util.List;

/** One entry of a rule's {@code from} or {@code to}. */
public sealed interface Peer permits Peer.Pods, Peer.IpBlock {

  /**
   * Pods by selector: podSelector alone means pods of the policy's namespace; namespaceSelector
   * alone every pod of the matching namespaces; both together the matching pods of the matching
   * namespaces. A null selector is absent; an empty one matches everything.
   */
  record Pods(LabelSelector podSelector, LabelSelector namespaceSelector) implements Peer {
    public Pods {
      if (podSelector == null && namespaceSelector == null) {
        throw new IllegalArgumentException(
            "a peer needs podSelector, namespaceSelector or ipBlock");
      }
    }

    @Override
    public String toString() {
      String pods = podSelector == null ? "all pods" : "pods " + podSelector;
      String namespaces = namespaceSelector == null ? "" : " in namespaces " + namespaceSelector;
      return pods + namespaces;
    }
  }

  /** Addresses in a CIDR block, less the excepted blocks inside it. */
  record IpBlock(Cidr cidr, List<Cidr> except) implements Peer {
    public IpBlock {
      except = List.copyOf(except);
    }

    boolean contains(byte[] address) {
      if (!cidr.contains(address)) {
        return false;
      }
      for (Cidr excluded : except) {
        if (excluded.contains(address)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public String toString() {
      return "ipBlock " + cidr + (except.isEmpty() ? "" : " except " + except);
    }
  }
}
