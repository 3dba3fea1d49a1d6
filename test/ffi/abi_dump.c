/*
 * Prints the C view of the public ABI (struct sizes, field offsets and sizes,
 * constants) for test_ffi.py, which compares it with its ctypes declarations:
 * a field added, moved or resized in bfd.h without updating bindings fails
 * the test.
 */
#include <bfd/bfd.h>
#include <stddef.h>
#include <stdio.h>

#define S(t) printf("size %s %zu\n", #t, sizeof(t))
#define F(t, f) printf("field %s %s %zu %zu\n", #t, #f, offsetof(t, f), sizeof(((t *)0)->f))
#define C(n) printf("const %s %lld\n", #n, (long long)(n))

int main(void) {
  S(bfd_mem);
  F(bfd_mem, user_data);
  F(bfd_mem, malloc);
  F(bfd_mem, free);
  F(bfd_mem, calloc);
  F(bfd_mem, realloc);

  S(bfd_auth_section);
  F(bfd_auth_section, type);
  F(bfd_auth_section, len);
  F(bfd_auth_section, key_id);
  F(bfd_auth_section, reserved);
  F(bfd_auth_section, seq);
  F(bfd_auth_section, data_len);
  F(bfd_auth_section, data);
  F(bfd_auth_section, pad);

  S(bfd_ctrl_pkt);
  F(bfd_ctrl_pkt, version);
  F(bfd_ctrl_pkt, diag);
  F(bfd_ctrl_pkt, state);
  F(bfd_ctrl_pkt, flags);
  F(bfd_ctrl_pkt, detect_mult);
  F(bfd_ctrl_pkt, length);
  F(bfd_ctrl_pkt, pad);
  F(bfd_ctrl_pkt, my_discr);
  F(bfd_ctrl_pkt, your_discr);
  F(bfd_ctrl_pkt, desired_min_tx_us);
  F(bfd_ctrl_pkt, required_min_rx_us);
  F(bfd_ctrl_pkt, required_min_echo_rx_us);
  F(bfd_ctrl_pkt, auth);

  S(bfd_session_settings);
  F(bfd_session_settings, struct_version);
  F(bfd_session_settings, local_discr);
  F(bfd_session_settings, desired_min_tx_us);
  F(bfd_session_settings, required_min_rx_us);
  F(bfd_session_settings, required_min_echo_rx_us);
  F(bfd_session_settings, detect_mult);
  F(bfd_session_settings, mode);
  F(bfd_session_settings, passive);
  F(bfd_session_settings, admin_down);
  F(bfd_session_settings, nexthop_policy);
  F(bfd_session_settings, min_rx_ttl);
  F(bfd_session_settings, cpi);
  F(bfd_session_settings, reserved0);

  S(bfd_state_event);
  F(bfd_state_event, ts);
  F(bfd_state_event, change_seq);
  F(bfd_state_event, old_state);
  F(bfd_state_event, new_state);
  F(bfd_state_event, local_diag);
  F(bfd_state_event, remote_state);
  F(bfd_state_event, remote_diag);
  F(bfd_state_event, flags);
  F(bfd_state_event, pad);

  S(bfd_nexthop_event);
  F(bfd_nexthop_event, ts);
  F(bfd_nexthop_event, action);
  F(bfd_nexthop_event, cause);
  F(bfd_nexthop_event, diag);
  F(bfd_nexthop_event, pad);

  S(bfd_callbacks);
  F(bfd_callbacks, struct_version);
  F(bfd_callbacks, reserved0);
  F(bfd_callbacks, state_change);
  F(bfd_callbacks, nexthop);
  F(bfd_callbacks, rand);
  F(bfd_callbacks, session);
  F(bfd_callbacks, responder_accept);
  F(bfd_callbacks, params);
  F(bfd_callbacks, auth_failure);

  S(bfd_session_event);
  F(bfd_session_event, ts);
  F(bfd_session_event, kind);
  F(bfd_session_event, reason);
  F(bfd_session_event, pad);

  S(bfd_rx_info);
  F(bfd_rx_info, mode);
  F(bfd_rx_info, family);
  F(bfd_rx_info, ttl);
  F(bfd_rx_info, flags);
  F(bfd_rx_info, ifindex);
  F(bfd_rx_info, local);
  F(bfd_rx_info, peer);
  F(bfd_rx_info, peer_port);
  F(bfd_rx_info, local_port);

  S(bfd_session_key);
  F(bfd_session_key, mode);
  F(bfd_session_key, family);
  F(bfd_session_key, flags);
  F(bfd_session_key, pad);
  F(bfd_session_key, ifindex);
  F(bfd_session_key, local);
  F(bfd_session_key, peer);

  S(bfd_session_status);
  F(bfd_session_status, failure_count);
  F(bfd_session_status, tx_failed);
  F(bfd_session_status, auth_failures);
  F(bfd_session_status, goodbye);
  F(bfd_session_status, pad3);
  F(bfd_session_status, scale_permille);
  F(bfd_session_status, struct_version);
  F(bfd_session_status, change_seq);
  F(bfd_session_status, state);
  F(bfd_session_status, local_diag);
  F(bfd_session_status, remote_state);
  F(bfd_session_status, remote_diag);
  F(bfd_session_status, forwarding);
  F(bfd_session_status, poll_active);
  F(bfd_session_status, remote_demand);
  F(bfd_session_status, remote_detect_mult);
  F(bfd_session_status, detect_mult);
  F(bfd_session_status, mode);
  F(bfd_session_status, nexthop_down);
  F(bfd_session_status, pad);
  F(bfd_session_status, local_discr);
  F(bfd_session_status, remote_discr);
  F(bfd_session_status, desired_min_tx_us);
  F(bfd_session_status, required_min_rx_us);
  F(bfd_session_status, remote_desired_min_tx_us);
  F(bfd_session_status, remote_required_min_rx_us);
  F(bfd_session_status, remote_required_min_echo_rx_us);
  F(bfd_session_status, pad2);
  F(bfd_session_status, tx_interval_ns);
  F(bfd_session_status, detect_time_ns);
  F(bfd_session_status, last_rx);
  F(bfd_session_status, last_tx);
  F(bfd_session_status, last_change);
  F(bfd_session_status, rx_packets);
  F(bfd_session_status, rx_dropped);
  F(bfd_session_status, tx_packets);
  F(bfd_session_status, up_count);
  F(bfd_session_status, down_count);
  F(bfd_session_status, polls_sent);
  F(bfd_session_status, finals_sent);

  C(BFD_SESSION_SETTINGS_VERSION);
  C(BFD_CALLBACKS_VERSION);
  C(BFD_SESSION_STATUS_VERSION);
  C(BFD_STATE_ADMIN_DOWN);
  C(BFD_STATE_DOWN);
  C(BFD_STATE_INIT);
  C(BFD_STATE_UP);
  C(BFD_DIAG_NONE);
  C(BFD_DIAG_DETECT_EXPIRED);
  C(BFD_DIAG_NEIGHBOR_DOWN);
  C(BFD_DIAG_ADMIN_DOWN);
  C(BFD_MODE_SINGLE_HOP);
  C(BFD_MODE_MULTIHOP);
  C(BFD_AF_INET);
  C(BFD_AF_INET6);
  C(BFD_RX_TTL);
  C(BFD_RX_LOCAL);
  C(BFD_RX_PEER);
  C(BFD_NHS_DOWN_UNTIL_UP);
  C(BFD_NHS_AFTER_UP);
  C(BFD_NEXTHOP_DOWN);
  C(BFD_NEXTHOP_UP);
  C(BFD_NH_CAUSE_CREATED);
  C(BFD_NH_CAUSE_UP);
  C(BFD_NH_CAUSE_FAILURE);
  C(BFD_NH_CAUSE_DELETED);
  C(BFD_NH_CAUSE_ADMIN);
  C(BFD_FLAG_P);
  C(BFD_FLAG_F);
  C(BFD_CTRL_LEN);
  C(BFD_CTRL_LEN_MAX);
  C(BFD_TTL_MAX);
  C(BFD_ERR_INVALID_ARGUMENT);
  C(BFD_ERR_VERSION);
  C(BFD_ERR_CLOCK_BACKWARDS);
  C(BFD_ERR_CALLBACK_FAILURE);
  C(BFD_ERR_PKT_TTL);
  C(BFD_ERR_PKT_TRUNCATED);
  C(BFD_ERR_CFG_MIN_RX);
  return 0;
}
