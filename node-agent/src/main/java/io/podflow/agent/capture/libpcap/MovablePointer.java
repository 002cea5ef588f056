package io.podflow.agent.capture.libpcap;

import com.sun.jna.Pointer;

/**
 * A JNA pointer that can be moved to another address, so reading each packet's header and bytes
 * needs no new Pointer object.
 */
final class MovablePointer extends Pointer {
  MovablePointer() {
    super(0);
  }

  void moveTo(long address) {
    this.peer = address;
  }
}
