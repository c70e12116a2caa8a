#include "proc_files.h"

#include <gtest/gtest.h>

#include <cstring>

namespace perfgate::proc {
namespace {

TEST(ProcFiles, ParsesStatEvenWhenTheCommandHasSpacesAndParentheses) {
  const char* text =
      "4242 (my (weird) cmd) S 17 4242 4242 0 -1 4194560 1234 0 0 0 250 75 0 0 20 0 9 0 123456 "
      "1000000 5000 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  Stat st;
  ASSERT_TRUE(parse_stat(text, static_cast<long>(std::strlen(text)), st));
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 17);
  EXPECT_EQ(st.utime_ticks, 250u);
  EXPECT_EQ(st.stime_ticks, 75u);
  EXPECT_EQ(st.threads, 9);
  EXPECT_EQ(st.start_ticks, 123456u);
}

TEST(ProcFiles, RejectsStatWithoutACommandField) {
  const char* text = "4242 S 17";
  Stat st;
  EXPECT_FALSE(parse_stat(text, static_cast<long>(std::strlen(text)), st));
}

TEST(ProcFiles, ParsesStatusMemoryThreadsAndContextSwitches) {
  const char* text =
      "Name:\tserver\nState:\tS (sleeping)\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\nThreads:\t12\n"
      "voluntary_ctxt_switches:\t300\nnonvoluntary_ctxt_switches:\t45\n";
  Status s;
  parse_status(text, static_cast<long>(std::strlen(text)), s);
  EXPECT_EQ(s.rss_bytes, 102400 * 1024);
  EXPECT_EQ(s.hwm_bytes, 204800 * 1024);
  EXPECT_EQ(s.threads, 12);
  EXPECT_EQ(s.ctx_switches, 345);
}

TEST(ProcFiles, LeavesMemoryUnknownForAKernelThreadStatus) {
  const char* text = "Name:\tkworker/0:1\nThreads:\t1\n";
  Status s;
  parse_status(text, static_cast<long>(std::strlen(text)), s);
  EXPECT_EQ(s.rss_bytes, -1);
  EXPECT_EQ(s.ctx_switches, -1);
}

TEST(ProcFiles, ReadsPssFromSmapsRollup) {
  const char* text = "00400000-7fff [rollup]\nRss:\t 5000 kB\nPss:\t 3000 kB\nPss_Anon:\t 100 kB\n";
  EXPECT_EQ(parse_pss_bytes(text, static_cast<long>(std::strlen(text))), 3000 * 1024);
  EXPECT_EQ(parse_pss_bytes("Rss: 1 kB\n", 10), -1);
}

}  // namespace
}  // namespace perfgate::proc
