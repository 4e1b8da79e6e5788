#include "base/stack.h"

#include <pthread.h>

#include <cstdint>

namespace strata {
namespace {

// Lowest address of the calling thread's stack (stacks grow down on every
// platform Strata builds for), looked up once per thread.
uintptr_t stack_low() {
  thread_local uintptr_t low = [] {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return uintptr_t(0);
    void* addr = nullptr;
    size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    pthread_attr_destroy(&attr);
    return reinterpret_cast<uintptr_t>(addr);
  }();
  return low;
}

}  // namespace

size_t stack_remaining_bytes() {
  uintptr_t low = stack_low();
  uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (low == 0 || here <= low) return 0;
  return size_t(here - low);
}

bool stack_exhausted(size_t reserve) { return stack_remaining_bytes() < reserve; }

void set_default_thread_stack(size_t bytes) {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return;
  if (pthread_attr_setstacksize(&attr, bytes) == 0) pthread_setattr_default_np(&attr);
  pthread_attr_destroy(&attr);
}

int run_with_stack(size_t bytes, const std::function<int()>& fn) {
  struct Call {
    const std::function<int()>* fn;
    int rc = 0;
  } call{&fn};
  pthread_attr_t attr;
  pthread_t thread;
  bool started = pthread_attr_init(&attr) == 0 && pthread_attr_setstacksize(&attr, bytes) == 0 &&
                 pthread_create(
                     &thread, &attr,
                     [](void* p) -> void* {
                       auto* c = static_cast<Call*>(p);
                       c->rc = (*c->fn)();
                       return nullptr;
                     },
                     &call) == 0;
  pthread_attr_destroy(&attr);
  if (!started) return fn();  // no thread: run on this stack, limits still apply
  pthread_join(thread, nullptr);
  return call.rc;
}

}  // namespace strata
