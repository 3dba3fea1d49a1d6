# Runs toy_rib (-DEXE=...) and checks its exit code and the RIB events it
# prints: the nexthop-shutdown semantics of RFC 5882 §3 as a RIB sees them.
execute_process(COMMAND ${EXE} OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "toy_rib exited with ${rc}")
endif()
set(expected
  "nexthop 10.0.0.2 DOWN (cause created, diag No Diagnostic)"
  "nexthop 10.0.0.3 DOWN (cause created, diag No Diagnostic)"
  "nexthop 10.0.0.3 UP (cause up, diag No Diagnostic)"
  "session to 10.0.0.3: Up -> Down (diag Control Detection Time Expired)"
  "nexthop 10.0.0.3 DOWN (cause failure, diag Control Detection Time Expired)"
  "    198.51.100.0/24   unreachable"
  "session to 10.0.0.2: Up -> Down (diag Neighbor Signaled Session Down)"
  "t=12.000  nexthop 10.0.0.3 UP (cause deleted"
  "toy_rib: all checks passed")
foreach(line IN LISTS expected)
  string(FIND "${out}" "${line}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "toy_rib output lacks: ${line}")
  endif()
endforeach()
# A remote AdminDown must never shut the nexthop down (RFC 5882 §3.2).
string(FIND "${out}" "nexthop 10.0.0.2 DOWN (cause failure" pos)
if(NOT pos EQUAL -1)
  message(FATAL_ERROR "toy_rib: remote AdminDown treated as a failure")
endif()
