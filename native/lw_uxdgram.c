/* lw_uxdgram: receives AF_UNIX SOCK_DGRAM messages for Logwarden's imuxsock (Node cannot bind datagram unix
 * sockets). usage: lw_uxdgram PATH MODE_OCTAL
 * Binds PATH, sets its mode, then writes every datagram to stdout as a 4-byte big-endian length and the bytes.
 * A full stdout pipe blocks the loop, so the kernel socket buffer fills and senders wait: backpressure as with
 * rsyslog. Exits (removing PATH) when stdin reaches EOF, i.e. when Logwarden closes it or dies.
 * Exit codes: 2 usage, 3 socket/bind failure (message on stderr), 0 normal end. */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lw_io.h"

#define MAX_DGRAM 65536

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: lw_uxdgram PATH MODE_OCTAL\n");
    return 2;
  }
  const char *path = argv[1];
  mode_t mode = (mode_t)strtol(argv[2], NULL, 8);
  struct sockaddr_un addr;
  if (strlen(path) >= sizeof(addr.sun_path)) {
    fprintf(stderr, "socket path too long: %s\n", path);
    return 3;
  }
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  if (s < 0) {
    fprintf(stderr, "socket: %s\n", strerror(errno));
    return 3;
  }
  memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  strcpy(addr.sun_path, path);
  if (bind(s, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
    fprintf(stderr, "bind %s: %s\n", path, strerror(errno));
    return 3;
  }
  chmod(path, mode);
  /* Tell the parent we are bound: a zero-length record. */
  unsigned char ready[4] = {0, 0, 0, 0};
  if (write_all(1, ready, 4) < 0) return 0;
  static unsigned char buf[4 + MAX_DGRAM];
  struct pollfd fds[2] = {{s, POLLIN, 0}, {0, POLLIN, 0}};
  for (;;) {
    int r = poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      char c;
      ssize_t n = read(0, &c, 1);
      if (n <= 0) break; /* parent closed stdin or died */
    }
    if (fds[0].revents & POLLIN) {
      ssize_t n = recv(s, buf + 4, MAX_DGRAM, 0);
      if (n < 0) {
        if (errno == EINTR || errno == EAGAIN) continue;
        break;
      }
      uint32_t len = (uint32_t)n;
      buf[0] = (unsigned char)(len >> 24);
      buf[1] = (unsigned char)(len >> 16);
      buf[2] = (unsigned char)(len >> 8);
      buf[3] = (unsigned char)len;
      if (write_all(1, buf, 4 + (size_t)n) < 0) break;
    }
  }
  unlink(path);
  return 0;
}
