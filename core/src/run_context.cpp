#include "core/run_context.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "core/build_info.h"
#include "core/clock.h"

namespace perfgate {

std::string_view tool_version() { return PERFGATE_VERSION; }
std::string_view build_type() { return PERFGATE_BUILD_TYPE; }

RunContext collect_run_context() {
  RunContext ctx;
  ctx.tool_version = std::string(tool_version());
  ctx.build_type = std::string(build_type());
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) ctx.host = host;
  ctx.cpu_count = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  double load[3] = {};
  if (getloadavg(load, 3) >= 1) ctx.load_average_1m = load[0];
  ctx.start_time = iso8601_utc_now();
  return ctx;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < length; ++i) {
    snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace perfgate
