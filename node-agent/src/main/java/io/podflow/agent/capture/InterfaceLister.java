package io.podflow.agent.capture;

import java.util.List;

/** The host's network interfaces by name, as capture can open them (libpcap's list). */
@FunctionalInterface
interface InterfaceLister {
  List<String> names() throws Exception;
}
