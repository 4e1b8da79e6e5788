// Stack room of the calling thread. Passes over query trees recurse once per
// nesting level; instead of a fixed depth cap (which refuses trees any
// Prometheus answers) they ask how much stack is left and refuse, with an
// error, only a tree that would really overflow it. The threads that parse
// and evaluate queries are created with kQueryThreadStackBytes of stack, so
// nesting tens of thousands of levels deep is evaluated.
#pragma once

#include <cstddef>
#include <functional>

#include "base/sanitizers.h"

namespace strata {

// 64 MiB: address space only, pages are committed as they are touched; this
// fits well over 10,000 nested binary operators in every pass over a query.
// Eight times that under ASan, whose frames are as much larger (the parser's
// per-level budget scales the same way), so the same queries are answered.
inline constexpr size_t kQueryThreadStackBytes = (kAddressSanitizer ? 8 : 1) * (size_t(64) << 20);

// Bytes between the caller's frame and the end of its thread's stack.
size_t stack_remaining_bytes();

// True when fewer than `reserve` bytes of stack are left. The default keeps
// enough for the deepest library code a pass calls at a leaf (RE2, fmt,
// absl, the allocator) after the check.
bool stack_exhausted(size_t reserve = size_t(256) << 10);

// Threads created from now on (std::thread included) get `bytes` of stack.
// For main(), before it starts any thread.
void set_default_thread_stack(size_t bytes);

// Runs fn on a new thread with `bytes` of stack and returns its result: for
// main() itself, whose stack the OS sized (often 8 MiB).
int run_with_stack(size_t bytes, const std::function<int()>& fn);

}  // namespace strata
