/* Socket layer of the libuv adapter. Linux: _GNU_SOURCE comes from CMake. */
#include "bfd_uv_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Static_assert(CMSG_SPACE(sizeof(struct in6_pktinfo)) <= BFD_UV__TX_CTRL &&
                   CMSG_SPACE(sizeof(struct in_pktinfo)) <= BFD_UV__TX_CTRL,
               "BFD_UV__TX_CTRL holds one pktinfo");

int bfd_uv__addr_is_any(const bfd_uv_addr *addr) {
  size_t n = addr->family == BFD_AF_INET ? 4 : 16, i;
  for (i = 0; i < n; i++)
    if (addr->addr[i])
      return 0;
  return 1;
}

int bfd_uv_addr_parse(bfd_uv_addr *out, const char *text) {
  char buf[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  char *zone;
  if (!out || !text || strlen(text) >= sizeof(buf))
    return BFD_ERR_INVALID_ARGUMENT;
  memset(out, 0, sizeof(*out));
  strcpy(buf, text);
  if (inet_pton(AF_INET, buf, out->addr) == 1) {
    out->family = BFD_AF_INET;
    return 0;
  }
  zone = strchr(buf, '%');
  if (zone)
    *zone++ = '\0';
  if (inet_pton(AF_INET6, buf, out->addr) != 1)
    return BFD_ERR_INVALID_ARGUMENT;
  out->family = BFD_AF_INET6;
  if (zone) {
    char *end;
    unsigned long n = strtoul(zone, &end, 10);
    if (*zone && !*end && n > 0 && n <= UINT32_MAX)
      out->ifindex = (uint32_t)n;
    else
      out->ifindex = if_nametoindex(zone);
    if (!out->ifindex)
      return BFD_ERR_INVALID_ARGUMENT;
  }
  return 0;
}

ptrdiff_t bfd_uv_addr_format(char *buf, size_t buflen, const bfd_uv_addr *addr) {
  char tmp[INET6_ADDRSTRLEN + 16];
  size_t n;
  if (!buf || !addr)
    return BFD_ERR_INVALID_ARGUMENT;
  if (addr->family == BFD_AF_INET)
    inet_ntop(AF_INET, addr->addr, tmp, sizeof(tmp));
  else if (addr->family == BFD_AF_INET6)
    inet_ntop(AF_INET6, addr->addr, tmp, sizeof(tmp));
  else
    return BFD_ERR_CFG_KEY; /* as everywhere an address has an unknown family */
  n = strlen(tmp);
  if (addr->family == BFD_AF_INET6 && addr->ifindex)
    n += (size_t)snprintf(tmp + n, sizeof(tmp) - n, "%%%u", (unsigned)addr->ifindex);
  if (n + 1 > buflen)
    return BFD_ERR_NOBUF;
  memcpy(buf, tmp, n + 1);
  return (ptrdiff_t)n;
}

int bfd_uv__sock_to_sockaddr(const bfd_uv_addr *addr, uint16_t port, struct sockaddr_storage *ss,
                             socklen_t *sslen) {
  memset(ss, 0, sizeof(*ss));
  if (addr->family == BFD_AF_INET) {
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    memcpy(&sin->sin_addr, addr->addr, 4);
    *sslen = sizeof(*sin);
    return 0;
  }
  if (addr->family == BFD_AF_INET6) {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, addr->addr, 16);
    sin6->sin6_scope_id = addr->ifindex;
    *sslen = sizeof(*sin6);
    return 0;
  }
  return BFD_ERR_CFG_KEY;
}

int bfd_uv__sock_from_sockaddr(const struct sockaddr *sa, bfd_uv_addr *addr, uint16_t *port) {
  memset(addr, 0, sizeof(*addr));
  if (sa->sa_family == AF_INET) {
    const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
    addr->family = BFD_AF_INET;
    memcpy(addr->addr, &sin->sin_addr, 4);
    *port = ntohs(sin->sin_port);
    return 0;
  }
  if (sa->sa_family == AF_INET6) {
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
    addr->family = BFD_AF_INET6;
    memcpy(addr->addr, &sin6->sin6_addr, 16);
    addr->ifindex = sin6->sin6_scope_id;
    *port = ntohs(sin6->sin6_port);
    return 0;
  }
  return BFD_ERR_CFG_KEY;
}

void bfd_uv__sock_parse_cmsg(struct msghdr *msg, bfd_rx_info *rx) {
  struct cmsghdr *c;
  for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
    int v;
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL &&
        c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      memcpy(&v, CMSG_DATA(c), sizeof(v));
      if (v >= 0 && v <= 255) {
        rx->ttl = (uint8_t)v;
        rx->flags |= BFD_RX_TTL;
      }
    } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
               c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      /* ipi_addr is the header's destination (ipi_spec_dst the route's). */
      memcpy(rx->local, &pi.ipi_addr, 4);
      rx->ifindex = (uint32_t)pi.ipi_ifindex;
      rx->flags |= BFD_RX_LOCAL;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT &&
               c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      memcpy(&v, CMSG_DATA(c), sizeof(v));
      if (v >= 0 && v <= 255) {
        rx->ttl = (uint8_t)v;
        rx->flags |= BFD_RX_TTL;
      }
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
               c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
      struct in6_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof(pi));
      memcpy(rx->local, &pi.ipi6_addr, 16);
      rx->ifindex = pi.ipi6_ifindex;
      rx->flags |= BFD_RX_LOCAL;
    }
  }
}

int bfd_uv__sock_err(int err) {
  switch (err) {
  case EADDRNOTAVAIL: return BFD_UV_ERR_ADDR_NOT_AVAIL;
  case EADDRINUSE: return BFD_UV_ERR_ADDR_IN_USE;
  case EMFILE:
  case ENFILE: return BFD_UV_ERR_FD_LIMIT;
  default: return BFD_ERR_IO;
  }
}

/* Report a failed call and return its code (`code` 0: from the errno). */
static int report(const bfd_uv__sock_reporter *rep, int code, int err, const char *op,
                  const bfd_uv_addr *addr, int port, const char *ifname) {
  char a[64] = "?", msg[256];
  if (!code)
    code = bfd_uv__sock_err(err);
  if (!rep || !rep->fn)
    return code;
  if (addr)
    bfd_uv_addr_format(a, sizeof(a), addr);
  if (ifname && *ifname)
    snprintf(msg, sizeof(msg), "%s %s port %d dev %s: %s", op, a, port, ifname, strerror(err));
  else if (addr && addr->family == BFD_AF_INET6)
    snprintf(msg, sizeof(msg), "%s [%s]:%d: %s", op, a, port, strerror(err));
  else
    snprintf(msg, sizeof(msg), "%s %s:%d: %s", op, a, port, strerror(err));
  rep->fn(rep->ctx, code, err, msg);
  return code;
}

static int set_int(int fd, int level, int name, int value) {
  return setsockopt(fd, level, name, &value, sizeof(value));
}

/* A call that must succeed, unless an earlier one failed (`rc` its code):
 * the code of the first failure, reported; 0 if none. */
static int must(int rc, int call_rc, const bfd_uv__sock_reporter *rep, const char *op,
                const bfd_uv_addr *addr, int port, const char *ifname) {
  if (rc || call_rc == 0)
    return rc;
  return report(rep, 0, errno, op, addr, port, ifname);
}

/* A socket of the address's family, or the code (reported). */
static int open_socket(const bfd_uv_addr *addr, const bfd_uv__sock_reporter *rep, int port) {
  int fd = socket(addr->family == BFD_AF_INET ? AF_INET : AF_INET6,
                  SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
  if (fd < 0)
    return report(rep, 0, errno, "socket", addr, port, NULL);
  return fd;
}

int bfd_uv__sock_open_listener(const bfd_uv_addr *addr, uint16_t port, uint32_t rcvbuf,
                               const bfd_uv__sock_reporter *rep) {
  struct sockaddr_storage ss;
  socklen_t sslen;
  int fd, rc = 0;
  if (bfd_uv__sock_to_sockaddr(addr, port, &ss, &sslen) < 0)
    return BFD_ERR_CFG_KEY;
  fd = open_socket(addr, rep, port);
  if (fd < 0)
    return fd;
  if (addr->family == BFD_AF_INET) {
    rc = must(rc, set_int(fd, IPPROTO_IP, IP_RECVTTL, 1), rep, "setsockopt(IP_RECVTTL)", addr, port,
              NULL);
    rc = must(rc, set_int(fd, IPPROTO_IP, IP_PKTINFO, 1), rep, "setsockopt(IP_PKTINFO)", addr, port,
              NULL);
  } else {
    /* The v4 wildcard listener owns IPv4 (and a v4-mapped peer would
     * carry the wrong TTL semantics anyway). */
    rc = must(rc, set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1), rep, "setsockopt(IPV6_V6ONLY)", addr,
              port, NULL);
    rc = must(rc, set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1), rep,
              "setsockopt(IPV6_RECVHOPLIMIT)", addr, port, NULL);
    rc = must(rc, set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1), rep,
              "setsockopt(IPV6_RECVPKTINFO)", addr, port, NULL);
  }
  /* The kernel's drop count with every datagram (bfd_uv__sock_rxq_ovfl). */
  rc = must(rc, set_int(fd, SOL_SOCKET, SO_RXQ_OVFL, 1), rep, "setsockopt(SO_RXQ_OVFL)", addr, port,
            NULL);
  if (!rc && rcvbuf)
    rc = must(rc, bfd_uv__sock_set_rcvbuf(fd, rcvbuf), rep, "setsockopt(SO_RCVBUF)", addr, port,
              NULL);
  rc = must(rc, bind(fd, (struct sockaddr *)&ss, sslen), rep, "bind", addr, port, NULL);
  if (rc) {
    close(fd);
    return rc;
  }
  return fd;
}

int bfd_uv__sock_set_rcvbuf(int fd, uint32_t bytes) {
  /* Past net.core.rmem_max with CAP_NET_ADMIN, else capped there. */
  if (set_int(fd, SOL_SOCKET, SO_RCVBUFFORCE, (int)bytes) == 0)
    return 0;
  return set_int(fd, SOL_SOCKET, SO_RCVBUF, (int)bytes);
}

uint32_t bfd_uv__sock_get_rcvbuf(int fd) {
  int v = 0;
  socklen_t len = sizeof(v);
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) != 0 || v < 0)
    return 0;
  return (uint32_t)v;
}

int bfd_uv__sock_rxq_ovfl(struct msghdr *msg, uint32_t *count) {
  struct cmsghdr *c;
  for (c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
        c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
      memcpy(count, CMSG_DATA(c), sizeof(*count));
      return 1;
    }
  return 0;
}

int bfd_uv__sock_tx_blocked(int err) {
  return err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS;
}

int bfd_uv__sock_open_tx(const bfd_uv_addr *local, const char *ifname, uint16_t *cursor,
                         uint16_t *port, const bfd_uv__sock_reporter *rep) {
  const unsigned nports = BFD_SRC_PORT_MAX - BFD_SRC_PORT_MIN + 1;
  unsigned i;
  int fd, rc = 0;
  fd = open_socket(local, rep, 0);
  if (fd < 0)
    return fd;
  /* RFC 5881 §5 / RFC 5883 §5: 255 so receivers can apply GTSM floors. */
  if (local->family == BFD_AF_INET) {
    rc = must(rc, set_int(fd, IPPROTO_IP, IP_TTL, BFD_UV__TTL), rep, "setsockopt(IP_TTL)", local, 0,
              ifname);
    rc = must(rc, set_int(fd, IPPROTO_IP, IP_TOS, BFD_UV__TOS_CS6), rep, "setsockopt(IP_TOS)",
              local, 0, ifname);
  } else {
    rc = must(rc, set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1), rep, "setsockopt(IPV6_V6ONLY)", local,
              0, ifname);
    rc = must(rc, set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, BFD_UV__TTL), rep,
              "setsockopt(IPV6_UNICAST_HOPS)", local, 0, ifname);
    rc = must(rc, set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, BFD_UV__TOS_CS6), rep,
              "setsockopt(IPV6_TCLASS)", local, 0, ifname);
  }
  /* Nothing is ever read from a TX socket: keep its buffer minimal so a
   * stray sender cannot pin memory. Best effort. */
  (void)set_int(fd, SOL_SOCKET, SO_RCVBUF, 1);
  if (ifname && *ifname)
    rc = must(rc, setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)),
              rep, "setsockopt(SO_BINDTODEVICE)", local, 0, ifname);
  if (rc) {
    close(fd);
    return rc;
  }
  /* RFC 5881 §4: source port 49152-65535, unique per session. */
  for (i = 0; i < nports; i++) {
    struct sockaddr_storage ss;
    socklen_t sslen = 0;
    uint16_t p = *cursor;
    if (p < BFD_SRC_PORT_MIN)
      p = BFD_SRC_PORT_MIN;
    *cursor = p == BFD_SRC_PORT_MAX ? BFD_SRC_PORT_MIN : (uint16_t)(p + 1);
    bfd_uv__sock_to_sockaddr(local, p, &ss, &sslen);
    if (bind(fd, (struct sockaddr *)&ss, sslen) == 0) {
      *port = p;
      return fd;
    }
    if (errno != EADDRINUSE) {
      rc = report(rep, 0, errno, "bind", local, p, ifname);
      close(fd);
      return rc;
    }
  }
  close(fd);
  return report(rep, BFD_UV_ERR_NO_PORT, EADDRINUSE, "bind (no free source port in 49152-65535)",
                local, 0, ifname);
}

int bfd_uv__sock_probe_local(const bfd_uv_addr *local, const bfd_uv__sock_reporter *rep) {
  struct sockaddr_storage ss;
  socklen_t sslen;
  int fd, rc = 0;
  if (bfd_uv__sock_to_sockaddr(local, 0, &ss, &sslen) < 0)
    return BFD_ERR_CFG_KEY;
  fd = open_socket(local, rep, 0);
  if (fd < 0)
    return fd;
  if (local->family == BFD_AF_INET6)
    (void)set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
  if (bind(fd, (struct sockaddr *)&ss, sslen) < 0)
    rc = report(rep, 0, errno, "bind (source address check)", local, 0, NULL);
  close(fd);
  return rc;
}

size_t bfd_uv__sock_pktinfo(uint8_t *buf, const bfd_uv_addr *local, uint32_t ifindex) {
  struct msghdr mh;
  struct cmsghdr *c;
  memset(&mh, 0, sizeof(mh));
  memset(buf, 0, BFD_UV__TX_CTRL);
  if (bfd_uv__addr_is_any(local) && !ifindex)
    return 0;
  mh.msg_control = buf;
  mh.msg_controllen = BFD_UV__TX_CTRL;
  c = CMSG_FIRSTHDR(&mh);
  if (local->family == BFD_AF_INET) {
    struct in_pktinfo pi;
    memset(&pi, 0, sizeof(pi));
    /* ipi_spec_dst is the source address; ipi_ifindex the way out. */
    memcpy(&pi.ipi_spec_dst, local->addr, 4);
    pi.ipi_ifindex = (int)ifindex;
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    return CMSG_SPACE(sizeof(pi));
  } else {
    struct in6_pktinfo pi;
    memset(&pi, 0, sizeof(pi));
    memcpy(&pi.ipi6_addr, local->addr, 16);
    pi.ipi6_ifindex = ifindex;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(pi));
    memcpy(CMSG_DATA(c), &pi, sizeof(pi));
    return CMSG_SPACE(sizeof(pi));
  }
}
