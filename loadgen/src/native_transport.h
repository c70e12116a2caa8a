#pragma once
// The native epoll HTTP/1.1 client for http:// targets (see loadgen/transport.h).

#include <memory>

#include "loadgen/transport.h"

namespace perfgate {

/// Creates the native transport; errors when the host does not resolve or epoll fails.
Result<std::unique_ptr<Transport>> make_native_transport(const TargetUrl& target, const TransportOptions& options,
                                                         const Clock& clock);

/// Creates the libcurl multi transport.
Result<std::unique_ptr<Transport>> make_curl_transport(const TargetUrl& target, const TransportOptions& options,
                                                       const Clock& clock);

}  // namespace perfgate
