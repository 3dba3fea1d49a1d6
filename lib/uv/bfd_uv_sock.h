/* Socket layer of the libuv adapter: address conversion, socket setup with
 * error reports, control-message parsing. No libuv here, so it is
 * unit-testable on its own. */
#ifndef BFD_UV_SOCK_H
#define BFD_UV_SOCK_H

#include <stdint.h>
#include <sys/socket.h>

#include <bfd/bfd.h>
#include <bfd/bfd_uv.h>

/* Called for every failed socket call: errno and a line with the operation,
 * the address and strerror(). */
typedef void (*bfd_uv_sock_report_fn)(void *ctx, int sys_errno, const char *msg);

typedef struct bfd_uv_sock_reporter {
  bfd_uv_sock_report_fn fn;
  void *ctx;
} bfd_uv_sock_reporter;

/* bfd_uv_addr + port -> sockaddr. Returns 0 or BFD_ERR_CFG_KEY. */
int bfd_uv_sock_to_sockaddr(const bfd_uv_addr *addr, uint16_t port, struct sockaddr_storage *ss,
                            socklen_t *sslen);
/* sockaddr -> bfd_uv_addr + port. Returns 0 or BFD_ERR_CFG_KEY. */
int bfd_uv_sock_from_sockaddr(const struct sockaddr *sa, bfd_uv_addr *addr, uint16_t *port);
/* 1 if every byte of the family's address is zero (the wildcard). */
int bfd_uv_addr_is_any(const bfd_uv_addr *addr);

/* Parse IP_TTL/IP_PKTINFO or IPV6_HOPLIMIT/IPV6_PKTINFO control messages
 * into rx->ttl, rx->local, rx->ifindex and rx->flags. */
void bfd_uv_sock_parse_cmsg(struct msghdr *msg, bfd_rx_info *rx);

/* Listening socket: non-blocking, IPV6_V6ONLY, RECVTTL/HOPLIMIT and
 * PKTINFO on, bound to (addr, port). Returns the fd or BFD_ERR_IO. */
int bfd_uv_sock_open_listener(const bfd_uv_addr *addr, uint16_t port,
                              const bfd_uv_sock_reporter *rep);

/* TX socket: non-blocking, TTL/Hop Limit 255, TOS/TCLASS CS6, optional
 * SO_BINDTODEVICE, bound to `local` (may be the wildcard) and a source port
 * from 49152-65535 starting at *cursor (advanced past the port taken; the
 * next port is tried on EADDRINUSE). Returns the fd or BFD_ERR_IO, and the
 * port in *port. */
int bfd_uv_sock_open_tx(const bfd_uv_addr *local, const char *ifname, uint16_t *cursor,
                        uint16_t *port, const bfd_uv_sock_reporter *rep);

#define BFD_UV_TTL     255
#define BFD_UV_TOS_CS6 0xc0

#endif
