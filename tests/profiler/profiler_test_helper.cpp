// A process with a known resource pattern, watched by the profiler tests. Prints one line per
// milestone on stdout so tests synchronise on events, not on sleeps.
//   grow STEP_MB STEP_MS PEAK_MB HOLD_MS   +STEP_MB every STEP_MS up to PEAK_MB, hold, free, then idle
//   ramp RATE_MB_S CAP_MB                  grow at RATE_MB_S (paced by the clock) up to CAP_MB, then idle
//   burn DUTY_PERCENT                      busy DUTY% of every 20 ms forever
//   exit_after MS                          idle MS, then exit 0
//   children N                             fork N idle children, then idle
//   serve PORT DELAY_MS                    after DELAY_MS, answer every HTTP request on 127.0.0.1:PORT with 200
//   idle                                   idle forever
// Any further arguments are ignored (tests add tokens to match with a pattern).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kMiB = 1024 * 1024;

void say(const char* line) {
  std::printf("%s\n", line);
  std::fflush(stdout);
}

[[noreturn]] void idle_forever() {
  for (;;) pause();
}

void* touch_new(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) std::abort();
  std::memset(p, 0x5a, bytes);  // resident only once touched
  return p;
}

int grow(long step_mb, long step_ms, long peak_mb, long hold_ms) {
  std::vector<void*> blocks;
  say("start");
  for (long mb = 0; mb < peak_mb; mb += step_mb) {
    blocks.push_back(touch_new(static_cast<size_t>(step_mb) * kMiB));
    std::this_thread::sleep_for(std::chrono::milliseconds(step_ms));
  }
  say("peak");
  std::this_thread::sleep_for(std::chrono::milliseconds(hold_ms));
  for (void* b : blocks) munmap(b, static_cast<size_t>(step_mb) * kMiB);
  say("freed");
  idle_forever();
}

int ramp(double rate_mb_s, long cap_mb) {
  std::vector<void*> blocks;
  say("start");
  const auto start = SteadyClock::now();
  long allocated_mb = 0;
  while (allocated_mb < cap_mb) {
    // Paced by elapsed time, so a descheduled helper catches up and the true slope stays RATE.
    const double elapsed_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
    while (allocated_mb < cap_mb && allocated_mb < static_cast<long>(rate_mb_s * elapsed_s)) {
      blocks.push_back(touch_new(kMiB));
      ++allocated_mb;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  say("capped");
  idle_forever();
}

int burn(long duty_percent) {
  say("start");
  volatile uint64_t sink = 0;
  for (;;) {
    const auto period_start = SteadyClock::now();
    const auto busy_until = period_start + std::chrono::milliseconds(20 * duty_percent / 100);
    while (SteadyClock::now() < busy_until) sink = sink + 1;
    std::this_thread::sleep_until(period_start + std::chrono::milliseconds(20));
  }
}

int children(long n) {
  for (long i = 0; i < n; ++i) {
    if (fork() == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the helper the test kills
      idle_forever();
    }
  }
  say("ready");
  idle_forever();
}

int serve(long port, long delay_ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) return 3;
  say("listening");
  for (;;) {
    const int c = accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    char buf[1024];
    (void)!read(c, buf, sizeof buf);
    const char reply[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok";
    (void)!write(c, reply, sizeof reply - 1);
    close(c);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "idle";
  auto arg = [&](int i) { return argc > i ? std::atol(argv[i]) : 0L; };
  if (mode == "grow") return grow(arg(2), arg(3), arg(4), arg(5));
  if (mode == "ramp") return ramp(static_cast<double>(arg(2)), arg(3));
  if (mode == "burn") return burn(arg(2));
  if (mode == "serve") return serve(arg(2), arg(3));
  if (mode == "children") return children(arg(2));
  if (mode == "exit_after") {
    say("start");
    std::this_thread::sleep_for(std::chrono::milliseconds(arg(2)));
    return 0;
  }
  say("start");
  idle_forever();
}
