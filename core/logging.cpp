// SPDX-License-Identifier: Apache-2.0
#include "logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "iso_time.h"
#include "secret_scrubber.h"

namespace schemagate {

namespace {

// The event being logged by log_event on this thread: the sink runs synchronously inside the
// spdlog call, on the same thread.
thread_local const nlohmann::json* pending_fields = nullptr;
thread_local std::string_view pending_event;

std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return "trace";
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warn";
        case spdlog::level::err:
            return "error";
        case spdlog::level::critical:
            return "fatal";
        default:
            return "info";
    }
}

// Event fields are flat: strings are scrubbed, numbers and booleans carry no secret.
nlohmann::json scrubbed(const nlohmann::json& value) {
    return value.is_string() ? nlohmann::json(scrub(value.get<std::string>())) : value;
}

class ScrubbingStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
  public:
    ScrubbingStderrSink(std::string program, LogFormat format)
        : program_(std::move(program)), format_(format) {}

  protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::string text = scrub(std::string_view(msg.payload.data(), msg.payload.size()));
        const std::string_view level = level_name(msg.level);
        std::string line;
        if (format_ == LogFormat::kJson) {
            nlohmann::json event{
                {"ts", iso_utc(msg.time)}, {"level", std::string(level)}, {"program", program_}};
            if (pending_fields != nullptr) {
                event["event"] = std::string(pending_event);
                for (const auto& [key, value] : pending_fields->items()) {
                    event[key] = scrubbed(value);
                }
            }
            event["msg"] = text;
            line = event.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        } else {
            line = fmt::format("{} {:<5} {}", iso_utc(msg.time), level, text);
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stderr);
    }
    void flush_() override { std::fflush(stderr); }

  private:
    std::string program_;
    LogFormat format_;
};

}  // namespace

void setup_logging(const std::string& program, LogFormat format, bool verbose) {
    auto sink = std::make_shared<ScrubbingStderrSink>(program, format);
    auto logger = std::make_shared<spdlog::logger>(program, std::move(sink));
    logger->set_level(verbose ? spdlog::level::debug : spdlog::level::info);
    // Every line matters when a pod is killed a moment later.
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(std::move(logger));
}

void log_event(spdlog::level::level_enum level, std::string_view event,
               const nlohmann::json& fields, const std::string& message) {
    pending_fields = &fields;
    pending_event = event;
    spdlog::log(level, "{}", message);
    pending_fields = nullptr;
    pending_event = {};
}

}  // namespace schemagate
