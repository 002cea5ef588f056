package io.podflow.deploy;

import io.fabric8.mockwebserver.DefaultMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The requests a client made to fabric8's mock API server, as the RBAC permissions they need: API
 * group, resource, verb and namespace (empty for a cluster-wide request).
 */
final class ApiRequests {
  /** One permission a request needed. */
  record Permission(String group, String resource, String verb, String namespace) {
    String rule() {
      return (group.isEmpty() ? "core" : group) + "/" + resource + ":" + verb;
    }
  }

  private ApiRequests() {}

  /** Takes every request the server has recorded so far. */
  static List<Permission> drain(DefaultMockServer server) throws InterruptedException {
    List<Permission> out = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(1, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(1, TimeUnit.MILLISECONDS)) {
      out.add(permission(r.getMethod(), r.getPath()));
    }
    return out;
  }

  /**
   * /api/v1/[namespaces/NS/]RESOURCE[/NAME] or /apis/GROUP/VERSION/[namespaces/NS/]RESOURCE[/NAME],
   * with the verb from the method (and ?watch=true).
   */
  static Permission permission(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    String[] parts = uri.getPath().substring(1).split("/");
    int i;
    String group;
    if (parts[0].equals("api")) {
      group = "";
      i = 2;
    } else if (parts[0].equals("apis")) {
      group = parts[1];
      i = 3;
    } else {
      throw new IllegalArgumentException("not a resource request: " + pathAndQuery);
    }
    String namespace = "";
    if (parts.length > i + 2 && parts[i].equals("namespaces")) {
      namespace = parts[i + 1];
      i += 2;
    }
    String resource = parts[i];
    boolean named = parts.length > i + 1;
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    String verb =
        switch (method) {
          case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException("method " + method);
        };
    return new Permission(group, resource, verb, namespace);
  }
}
