// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "duration.h"
#include "schema_state.h"

namespace schemagate {

// Where --notify-url points, parsed once. The URL itself may be a secret (an incoming
// webhook's token is its path): only `host` is ever logged.
struct NotifyUrl {
    bool tls = false;
    std::string host;
    std::string port;
    std::string path;  // with the query, "/" when empty
};

// How long a run's notification may delay its exit, retries included.
inline constexpr Millis kNotifyBudget{4000};

// http:// or https:// only; nullopt with the reason otherwise (the caller names the flag).
std::optional<NotifyUrl> parse_notify_url(const std::string& url, std::string& problem);

// One event as posted: `text` for a Slack-compatible incoming webhook, the same facts as fields
// for any JSON receiver. Pure.
nlohmann::json notify_payload(const std::string& event, const std::string& summary,
                              const nlohmann::json& fields);

// Posts events to the URL: bounded in time (the whole post, retries included, within
// `budget`), retried with backoff on a connection failure, a timeout, 429 or 5xx; never
// throws, never blocks past its budget; a failure is one warning naming the host.
class Notifier {
  public:
    Notifier(std::optional<NotifyUrl> url, Millis budget) : url_(std::move(url)), budget_(budget) {}
    bool enabled() const { return url_.has_value(); }
    // True when the receiver answered 2xx.
    bool post(const nlohmann::json& payload) const;

  private:
    std::optional<NotifyUrl> url_;
    Millis budget_;
};

// Posts one event about a run of migration set `where` by `holder` (their fields, plus
// `fields`), within kNotifyBudget; nothing without a URL.
void notify_run_event(const std::optional<NotifyUrl>& url, const StateLocation& where,
                      const std::string& holder, const std::string& event,
                      const std::string& summary, nlohmann::json fields);

}  // namespace schemagate
