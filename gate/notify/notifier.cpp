// SPDX-License-Identifier: Apache-2.0
#include "notifier.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "notify_transport.h"
#include "secret_scrubber.h"

namespace schemagate {

namespace {

using Clock = std::chrono::steady_clock;

// The variables choose_proxy reads, as the process has them now.
Environment proxy_environment() {
    Environment environment;
    for (const char* name : {"https_proxy", "HTTPS_PROXY", "http_proxy", "no_proxy", "NO_PROXY"}) {
        if (const char* value = std::getenv(name)) environment[name] = value;
    }
    return environment;
}

// " through the proxy HOST:PORT (https_proxy)" for the warning; never the credentials.
std::string through(const std::optional<ProxyServer>& proxy) {
    if (!proxy) return "";
    return " through the proxy " + proxy->host + ":" + proxy->port + " (" + proxy->variable + ")";
}

}  // namespace

nlohmann::json notify_payload(const std::string& event, const std::string& summary,
                              const nlohmann::json& fields) {
    // The payload leaves the process like a log line does: scrubbed the same way.
    nlohmann::json payload = nlohmann::json::object();
    for (const auto& [key, value] : fields.items()) {
        payload[key] = value.is_string() ? nlohmann::json(scrub(value.get<std::string>())) : value;
    }
    payload["event"] = event;
    payload["text"] = scrub(summary);
    return payload;
}

bool Notifier::post(const nlohmann::json& payload) const {
    if (!url_) return false;
    const ProxyChoice route = choose_proxy(*url_, proxy_environment());
    if (route.proxy) register_secret(route.proxy->password);
    std::string error = route.problem;
    if (error.empty() && deliver(payload.dump(), route.proxy, error)) return true;
    spdlog::warn("notify: the event '{}' did not reach {}{}: {}", payload.value("event", ""),
                 url_->host, through(route.proxy), error);
    return false;
}

bool Notifier::deliver(const std::string& body, const std::optional<ProxyServer>& proxy,
                       std::string& error) const {
    const auto deadline = Clock::now() + budget_;
    Millis pause{250};
    for (;;) {
        const PostOutcome outcome = post_json(*url_, proxy, body, deadline);
        if (outcome.status >= 200 && outcome.status < 300) return true;
        // A last attempt the deadline cut short says less than the failure before it.
        if (!outcome.timed_out || error.empty()) {
            error =
                outcome.error.empty() ? "HTTP " + std::to_string(outcome.status) : outcome.error;
        }
        const bool worth_retrying =
            outcome.status == 0 || outcome.status == 429 || outcome.status >= 500;
        if (!worth_retrying || deadline - Clock::now() <= pause) return false;
        std::this_thread::sleep_for(pause);
        pause *= 2;
    }
}

void notify_run_event(const std::optional<NotifyUrl>& url, const StateLocation& where,
                      const std::string& holder, const std::string& event,
                      const std::string& summary, nlohmann::json fields) {
    if (!url) return;
    fields["name"] = where.name;
    fields["schema"] = where.schema;
    fields["holder"] = holder;
    Notifier(url, kNotifyBudget).post(notify_payload(event, summary, fields));
}

}  // namespace schemagate
