/* Shared by Logwarden's native helper processes (lw_uxdgram, lw_udprecv), each compiled on its own. */
#ifndef LW_IO_H
#define LW_IO_H
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

/* Write all n bytes to a blocking fd (retrying on EINTR); -1 on any other error. */
static int write_all(int fd, const unsigned char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}
#endif
