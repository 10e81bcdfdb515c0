// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "duration.h"
#include "notify_url.h"
#include "state_tables.h"

namespace schemagate {

// How long a run's notification may delay its exit, retries included.
inline constexpr Millis kNotifyBudget{4000};

// One event as posted: `text` for a Slack-compatible incoming webhook, the same facts as fields
// for any JSON receiver. Pure.
nlohmann::json notify_payload(const std::string& event, const std::string& summary,
                              const nlohmann::json& fields);

// Posts events to the URL, through the proxy the environment names for it (choose_proxy):
// bounded in time (the whole post, retries included, within `budget`), retried with backoff on
// a connection failure, a timeout, 429 or 5xx; never throws, never blocks past its budget; a
// failure is one warning naming the host (and the proxy's host and variable, never its
// credentials).
class Notifier {
  public:
    Notifier(std::optional<NotifyUrl> url, Millis budget) : url_(std::move(url)), budget_(budget) {}
    // True when the receiver answered 2xx.
    bool post(const nlohmann::json& payload) const;

  private:
    bool deliver(const std::string& body, const std::optional<ProxyServer>& proxy,
                 std::string& error) const;

    std::optional<NotifyUrl> url_;
    Millis budget_;
};

// Posts one event about a run of migration set `where` by `holder` (their fields, plus
// `fields`), within kNotifyBudget; nothing without a URL.
void notify_run_event(const std::optional<NotifyUrl>& url, const StateLocation& where,
                      const std::string& holder, const std::string& event,
                      const std::string& summary, nlohmann::json fields);

}  // namespace schemagate
