/* lw_udprecv: batched UDP reception for Logwarden's imudp. Node's dgram hands over one datagram per callback;
 * this helper drains its sockets with recvmmsg(2) and writes whole batches to stdout, so the Node side decodes
 * hundreds of datagrams per pipe read.
 *
 * usage: lw_udprecv PORT RCVBUF SLOT BACKLOG ADDR [ADDR...]
 *   PORT    port for every ADDR; 0: the kernel picks one for the first ADDR and the others bind that one
 *   RCVBUF  SO_RCVBUF in bytes (SO_RCVBUFFORCE tried first, as rsyslog does), 0 keeps the kernel default
 *   SLOT    bytes kept of each datagram (maxMessageSize); longer ones are cut and flagged
 *   BACKLOG bytes of received datagrams held here while Logwarden does not read the pipe (at least 4 rounds)
 *   ADDR    an IPv4 or IPv6 literal (IPv6 sockets are IPV6_V6ONLY)
 *
 * Output (little-endian), a sequence of frames (src/inputs/udp-batch.ts decodes them):
 *   frame header, 16 bytes: u32 body length, u32 datagram count, u64 receive time (ms since the epoch)
 *   count == 0: a control frame, the body is text (the bind report below)
 *   count >= 1: the body is `count` datagrams, each a 24-byte header
 *     u32 length of the bytes that follow, u16 source port, u8 family (4|6), u8 flags (1: truncated),
 *     u8[16] source address (IPv4: first 4 bytes)
 *   followed by its bytes.
 * First frame: the bind report, one line per ADDR, "ok ADDR PORT" or "fail ADDR reason", then "end".
 * When the first ADDR fails the helper exits 3 after the report; a later ADDR failing is reported and skipped.
 *
 * While the pipe is full, received frames wait in a backlog of up to BACKLOG bytes, so the sockets are still
 * drained during a pause of Logwarden; past that the sockets are not read, their buffers fill and the kernel drops
 * (counted in the drops column of /proc/net/udp), as with rsyslog. SIGTERM, SIGINT and SIGHUP are ignored: the helper ends when stdin reaches
 * EOF (Logwarden stopping, or dying), after one last drain of its sockets, so a datagram the kernel accepted
 * before the stop is still delivered. Exit codes: 2 usage, 3 the first socket cannot be bound, 0 normal end. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "lw_io.h"
#ifdef __linux__
#include <sys/prctl.h>
#endif

#define MAX_SOCKS 8
#define FRAME_HDR 16
#define DGRAM_HDR 24
/* Rounds of recvmmsg on one socket before the others and stdin are looked at again. */
#define MAX_ROUNDS 16
/* On stdin EOF: rounds of the final drain per socket (a sender that never stops cannot keep us alive). */
#define FINAL_ROUNDS 256

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)(ts.tv_nsec / 1000000);
}

static void put_le(unsigned char *p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static void put_frame_header(unsigned char *p, uint32_t body, uint32_t count, uint64_t t) {
  put_le(p, body, 4);
  put_le(p + 4, count, 4);
  put_le(p + 8, t, 8);
}

static int bind_one(const char *addr, unsigned port, int rcvbuf, unsigned *bound, char *err, size_t errlen) {
  struct sockaddr_storage ss;
  socklen_t sl;
  int family;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
  struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
  if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
    family = AF_INET;
    s4->sin_family = AF_INET;
    s4->sin_port = htons((uint16_t)port);
    sl = sizeof(*s4);
  } else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
    family = AF_INET6;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons((uint16_t)port);
    sl = sizeof(*s6);
  } else {
    snprintf(err, errlen, "not an IP address");
    return -1;
  }
  int s = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    snprintf(err, errlen, "socket: %s", strerror(errno));
    return -1;
  }
  int one = 1;
  if (family == AF_INET6) setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (rcvbuf > 0) {
#ifdef SO_RCVBUFFORCE
    if (setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
#endif
      setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
  }
  if (bind(s, (struct sockaddr *)&ss, sl) < 0) {
    snprintf(err, errlen, "bind: %s", strerror(errno));
    close(s);
    return -1;
  }
  sl = sizeof(ss);
  getsockname(s, (struct sockaddr *)&ss, &sl);
  *bound = ntohs(family == AF_INET ? s4->sin_port : s6->sin6_port);
  fcntl(s, F_SETFL, fcntl(s, F_GETFL) | O_NONBLOCK);
  return s;
}

/* Receive up to vlen datagrams from s into the slots and append them as one frame to out; returns the count. */
static int receive(int s, struct mmsghdr *msgs, struct sockaddr_storage *names, unsigned vlen, unsigned char *out,
                   size_t *outlen) {
  for (unsigned i = 0; i < vlen; i++) msgs[i].msg_hdr.msg_namelen = sizeof(names[i]);
  int n = recvmmsg(s, msgs, vlen, MSG_DONTWAIT, NULL);
  if (n <= 0) return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR ? -1 : 0;
  unsigned char *frame = out + *outlen;
  unsigned char *p = frame + FRAME_HDR;
  for (int i = 0; i < n; i++) {
    uint32_t len = msgs[i].msg_len;
    uint8_t flags = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? 1 : 0;
    uint16_t port = 0;
    uint8_t family = 4;
    memset(p + 8, 0, 16);
    if (names[i].ss_family == AF_INET6) {
      struct sockaddr_in6 *a = (struct sockaddr_in6 *)&names[i];
      family = 6;
      port = ntohs(a->sin6_port);
      memcpy(p + 8, &a->sin6_addr, 16);
    } else {
      struct sockaddr_in *a = (struct sockaddr_in *)&names[i];
      port = ntohs(a->sin_port);
      memcpy(p + 8, &a->sin_addr, 4);
    }
    put_le(p, len, 4);
    put_le(p + 4, port, 2);
    p[6] = family;
    p[7] = flags;
    memcpy(p + DGRAM_HDR, msgs[i].msg_hdr.msg_iov[0].iov_base, len);
    p += DGRAM_HDR + len;
  }
  put_frame_header(frame, (uint32_t)(p - frame - FRAME_HDR), (uint32_t)n, now_ms());
  *outlen = (size_t)(p - out);
  return n;
}

/* Frames received but not yet taken by the pipe: [head, len) of buf. Grows (up to the limit given on the
 * command line) while Logwarden is slower than the senders, e.g. during a GC pause or while the pipeline is
 * congested, so that the socket is still drained; once full, the sockets are left alone and the kernel drops. */
struct backlog {
  unsigned char *buf;
  size_t cap, head, len;
};

/* Room for one more round without passing the limit? */
static int backlog_room(struct backlog *q, size_t round, size_t max) {
  return q->len - q->head + round <= max;
}

/* Make room for `need` bytes at len: move the unsent bytes to the front, then grow. */
static int backlog_reserve(struct backlog *q, size_t need) {
  if (q->len + need <= q->cap) return 0;
  if (q->head > 0) {
    memmove(q->buf, q->buf + q->head, q->len - q->head);
    q->len -= q->head;
    q->head = 0;
    if (q->len + need <= q->cap) return 0;
  }
  size_t cap = q->cap * 2;
  while (cap < q->len + need) cap *= 2;
  unsigned char *b = realloc(q->buf, cap);
  if (!b) return -1;
  q->buf = b;
  q->cap = cap;
  return 0;
}

/* Write what the pipe takes now (stdout is non-blocking); -1 when the reader is gone. */
static int backlog_flush(struct backlog *q) {
  while (q->len > q->head) {
    ssize_t w = write(1, q->buf + q->head, q->len - q->head);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
      return -1;
    }
    q->head += (size_t)w;
  }
  q->head = q->len = 0;
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: lw_udprecv PORT RCVBUF SLOT BACKLOG ADDR [ADDR...]\n");
    return 2;
  }
  signal(SIGTERM, SIG_IGN);
  signal(SIGINT, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
#ifdef __linux__
  prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
  unsigned port = (unsigned)strtoul(argv[1], NULL, 10);
  int rcvbuf = (int)strtol(argv[2], NULL, 10);
  long slot = strtol(argv[3], NULL, 10);
  size_t backlog_max = (size_t)strtoull(argv[4], NULL, 10);
  if (port > 65535 || slot < 1) {
    fprintf(stderr, "bad PORT or SLOT\n");
    return 2;
  }
  if (slot > 65536) slot = 65536;
  int nsock = 0, socks[MAX_SOCKS];
  char report[MAX_SOCKS * 160 + 8];
  size_t rl = 0;
  for (int a = 5; a < argc && a - 5 < MAX_SOCKS; a++) {
    char err[120];
    unsigned bound = 0;
    int s = bind_one(argv[a], port, rcvbuf, &bound, err, sizeof(err));
    if (s < 0) {
      rl += (size_t)snprintf(report + rl, sizeof(report) - rl, "fail %s %s\n", argv[a], err);
      if (a == 5) break;
      continue;
    }
    if (port == 0) port = bound;
    socks[nsock++] = s;
    rl += (size_t)snprintf(report + rl, sizeof(report) - rl, "ok %s %u\n", argv[a], bound);
  }
  rl += (size_t)snprintf(report + rl, sizeof(report) - rl, "end\n");
  unsigned char hdr[FRAME_HDR];
  put_frame_header(hdr, (uint32_t)rl, 0, now_ms());
  if (write_all(1, hdr, FRAME_HDR) < 0 || write_all(1, (unsigned char *)report, rl) < 0) return 0;
  if (nsock == 0) return 3;
#ifdef F_SETPIPE_SZ
  fcntl(1, F_SETPIPE_SZ, 1 << 20); /* fewer wake-ups of the reader; the limit (pipe-max-size) may refuse it */
#endif

  /* Slots: as many as fit in 4 MB, between 16 and 256. */
  unsigned vlen = (unsigned)((4L << 20) / slot);
  if (vlen > 256) vlen = 256;
  if (vlen < 16) vlen = 16;
  unsigned char *slots = malloc((size_t)vlen * (size_t)slot);
  struct mmsghdr *msgs = calloc(vlen, sizeof(*msgs));
  struct iovec *iov = calloc(vlen, sizeof(*iov));
  struct sockaddr_storage *names = calloc(vlen, sizeof(*names));
  /* One round: a frame from every socket. The backlog holds at least a few rounds. */
  size_t round = (size_t)nsock * (FRAME_HDR + (size_t)vlen * (DGRAM_HDR + (size_t)slot));
  if (backlog_max < 4 * round) backlog_max = 4 * round;
  struct backlog q = {malloc(2 * round), 2 * round, 0, 0};
  if (!slots || !msgs || !iov || !names || !q.buf) {
    fprintf(stderr, "out of memory\n");
    return 4;
  }
  for (unsigned i = 0; i < vlen; i++) {
    iov[i].iov_base = slots + (size_t)i * (size_t)slot;
    iov[i].iov_len = (size_t)slot;
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &names[i];
  }
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) | O_NONBLOCK);

  struct pollfd fds[MAX_SOCKS + 2];
  int stopping = 0;
  while (!stopping) {
    /* Sockets are read while the backlog has room for one more round; stdout is polled while it has bytes. */
    int room = backlog_room(&q, round, backlog_max);
    nfds_t nf = 0;
    for (int i = 0; i < nsock; i++) fds[nf++] = (struct pollfd){room ? socks[i] : -1, POLLIN, 0};
    fds[nf++] = (struct pollfd){0, POLLIN, 0};
    fds[nf++] = (struct pollfd){q.len > q.head ? 1 : -1, POLLOUT, 0};
    int r = poll(fds, nf, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[nsock].revents & (POLLIN | POLLHUP | POLLERR)) {
      char c[64];
      ssize_t n = read(0, c, sizeof(c));
      if (n <= 0) stopping = 1; /* Logwarden closed stdin or died */
    }
    if (fds[nsock + 1].revents & (POLLERR | POLLHUP)) return 0; /* nobody reads any more */
    /* Each ready socket contributes one frame (a round) at a time, so one socket cannot starve the others. */
    int rounds = stopping ? FINAL_ROUNDS : MAX_ROUNDS;
    for (int k = 0; k < rounds && backlog_room(&q, round, backlog_max); k++) {
      int more = 0;
      for (int i = 0; i < nsock; i++) {
        if (!stopping && k == 0 && !(fds[i].revents & POLLIN)) continue;
        if (backlog_reserve(&q, round) < 0) return 4;
        int n = receive(socks[i], msgs, names, vlen, q.buf, &q.len);
        if (n == (int)vlen) more = 1;
      }
      if (!more) break;
    }
    if (backlog_flush(&q) < 0) return 0;
  }
  /* Stopping: hand over everything, blocking. */
  fcntl(1, F_SETFL, fcntl(1, F_GETFL) & ~O_NONBLOCK);
  if (q.len > q.head) write_all(1, q.buf + q.head, q.len - q.head);
  return 0;
}
