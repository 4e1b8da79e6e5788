// Unit tests of the difftest's own machinery: a harness that compares wrongly
// would report Strata bugs that are not there, or hide real ones.
#include <gtest/gtest.h>
#include <snappy.h>

#include <cmath>
#include <cstring>
#include <map>

#include "tests/integration/difftest/compare.h"
#include "tests/integration/difftest/corpus.h"
#include "tests/integration/difftest/dataset.h"

namespace strata::difftest {
namespace {

HttpResult ok(const std::string& body) { return {200, body, ""}; }

std::vector<std::string> kinds(const std::vector<Diff>& diffs) {
  std::vector<std::string> k;
  for (const Diff& d : diffs) k.push_back(d.kind);
  return k;
}

TEST(FloatsEqualTest, RelativeToleranceNanAndInfinities) {
  EXPECT_TRUE(floats_equal(1.0, 1.0 + 1e-12, 1e-9));
  EXPECT_FALSE(floats_equal(1.0, 1.0 + 1e-8, 1e-9));
  EXPECT_TRUE(floats_equal(1e300, 1e300 * (1 + 1e-10), 1e-9));
  EXPECT_FALSE(floats_equal(0, 1e-300, 1e-9));
  EXPECT_TRUE(floats_equal(NAN, NAN, 1e-9));
  EXPECT_FALSE(floats_equal(NAN, 0, 1e-9));
  EXPECT_TRUE(floats_equal(INFINITY, INFINITY, 1e-9));
  EXPECT_FALSE(floats_equal(INFINITY, -INFINITY, 1e-9));
  EXPECT_FALSE(floats_equal(INFINITY, 1e308, 1e-9));
  EXPECT_TRUE(floats_equal(0.0, -0.0, 1e-9));
}

TEST(ParseSampleValueTest, AcceptsWhatGoParseFloatAccepts) {
  double v;
  ASSERT_TRUE(parse_sample_value("NaN", &v));
  EXPECT_TRUE(std::isnan(v));
  ASSERT_TRUE(parse_sample_value("+Inf", &v));
  EXPECT_EQ(v, INFINITY);
  ASSERT_TRUE(parse_sample_value("-Inf", &v));
  EXPECT_EQ(v, -INFINITY);
  ASSERT_TRUE(parse_sample_value("1e-07", &v));
  EXPECT_EQ(v, 1e-07);
  EXPECT_FALSE(parse_sample_value("", &v));
  EXPECT_FALSE(parse_sample_value("1x", &v));
  EXPECT_FALSE(parse_sample_value(" 1", &v));
}

TEST(OutermostCallTest, OnlyWholeQueryCalls) {
  EXPECT_EQ(outermost_call("sort(up)"), "sort");
  EXPECT_EQ(outermost_call(" sort_desc(sum by (job) (rate(x[5m]))) "), "sort_desc");
  EXPECT_EQ(outermost_call("sort(up) + sort(up)"), "");
  EXPECT_EQ(outermost_call("sum(sort(up))"), "sum");
  EXPECT_EQ(outermost_call("sorted_metric"), "");
  EXPECT_EQ(outermost_call("up{job=\"a\"}"), "");
  EXPECT_EQ(outermost_call(R"q(sort(label_replace(up, "a", ")", "b", "(.*)")))q"), "sort");
  EXPECT_EQ(outermost_call("topk by (job) (5, up)"), "topk");
  EXPECT_EQ(outermost_call("topk(5, up) by (job)"), "topk");
  EXPECT_EQ(outermost_call("topk(5, up) by (job) > 1"), "");
  std::vector<std::string> labels;
  bool without = true;
  outermost_grouping("topk by (job, instance) (5, up)", &labels, &without);
  EXPECT_EQ(labels, (std::vector<std::string>{"job", "instance"}));
  EXPECT_FALSE(without);
  outermost_grouping("bottomk(5, sum by (a) (up)) without (le)", &labels, &without);
  EXPECT_EQ(labels, (std::vector<std::string>{"le"}));
  EXPECT_TRUE(without);
  outermost_grouping("topk(5, sum by (a) (up))", &labels, &without);
  EXPECT_TRUE(labels.empty());
}

const char* kVectorAB =
    R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"__name__":"up","job":"a"},"value":[1700000000,"1"]},
      {"metric":{"__name__":"up","job":"b"},"value":[1700000000,"NaN"]}]}})";
const char* kVectorBA =
    R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"b","__name__":"up"},"value":[1700000000.000,"NaN"]},
      {"metric":{"__name__":"up","job":"a"},"value":[1700000000,"1.0000000000001"]}]}})";

TEST(CompareTest, VectorsAreSetsAndNanEqualsNan) {
  EXPECT_TRUE(compare_query_responses(ok(kVectorAB), ok(kVectorBA), {}).empty());
}

TEST(CompareTest, TopkTiesMayPickAnySeries) {
  CompareOptions o;
  o.tie_kind = "topk";
  const char* a = R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"job":"a"},"values":[[1,"5"],[2,"5"]]},{"metric":{"job":"b"},"values":[[1,"3"]]},
      {"metric":{"job":"c"},"values":[[2,"3"]]}]}})";
  const char* b = R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"job":"a"},"values":[[1,"5"],[2,"5"]]},{"metric":{"job":"c"},"values":[[1,"3"],[2,"3"]]}]}})";
  EXPECT_TRUE(compare_query_responses(ok(a), ok(a), o).empty());
  // Without ties the series must match.
  const char* c = R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"job":"d"},"values":[[1,"5"],[2,"5"]]},{"metric":{"job":"c"},"values":[[1,"3"],[2,"3"]]}]}})";
  EXPECT_TRUE(compare_query_responses(ok(b), ok(b), o).empty());
  // One difference per timestamp.
  EXPECT_EQ(kinds(compare_query_responses(ok(b), ok(c), o)),
            (std::vector<std::string>{"series mismatch", "series mismatch"}));
  const char* tied1 = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"a"},"value":[1,"5"]},{"metric":{"job":"b"},"value":[1,"3"]},{"metric":{"job":"x"},"value":[1,"3"]}]}})";
  const char* tied2 = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"y"},"value":[1,"3"]},{"metric":{"job":"a"},"value":[1,"5"]},{"metric":{"job":"b"},"value":[1,"3"]}]}})";
  EXPECT_TRUE(compare_query_responses(ok(tied1), ok(tied2), o).empty());
  // The k-th value may tie with a series that was left out.
  const char* boundary1 = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"a"},"value":[1,"5"]},{"metric":{"job":"b"},"value":[1,"3"]}]}})";
  const char* boundary2 = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"a"},"value":[1,"5"]},{"metric":{"job":"z"},"value":[1,"3"]}]}})";
  const char* top_differs = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"z"},"value":[1,"5"]},{"metric":{"job":"b"},"value":[1,"3"]}]}})";
  EXPECT_TRUE(compare_query_responses(ok(boundary1), ok(boundary2), o).empty());
  EXPECT_EQ(kinds(compare_query_responses(ok(boundary1), ok(top_differs), o)),
            (std::vector<std::string>{"series mismatch"}));
  // With `by (job)` every series is its group's boundary.
  o.tie_grouping = {"job"};
  EXPECT_TRUE(compare_query_responses(ok(boundary1), ok(top_differs), o).empty());
  EXPECT_EQ(kinds(compare_query_responses(ok(tied1), ok(R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"a"},"value":[1,"5"]},{"metric":{"job":"b"},"value":[1,"3"]}]}})"), o)),
            (std::vector<std::string>{"series count mismatch"}));
}

TEST(CompareTest, SortedVectorsCompareTheOrderOfValues) {
  CompareOptions o;
  o.ordered = true;
  const char* asc = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"a"},"value":[1,"1"]},{"metric":{"job":"b"},"value":[1,"2"]}]}})";
  const char* desc = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"b"},"value":[1,"2"]},{"metric":{"job":"a"},"value":[1,"1"]}]}})";
  EXPECT_EQ(kinds(compare_query_responses(ok(asc), ok(desc), o)), std::vector<std::string>{"order mismatch"});
  // Ties may come in any order.
  const char* tie1 = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"a"},"value":[1,"1"]},{"metric":{"job":"b"},"value":[1,"1"]}]}})";
  const char* tie2 = R"({"status":"success","data":{"resultType":"vector","result":[
      {"metric":{"job":"b"},"value":[1,"1"]},{"metric":{"job":"a"},"value":[1,"1"]}]}})";
  EXPECT_TRUE(compare_query_responses(ok(tie1), ok(tie2), o).empty());
}

TEST(CompareTest, ReportsMissingExtraSeriesAndValues) {
  const char* ref = R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"job":"a"},"values":[[1,"1"],[2,"2"]]},{"metric":{"job":"b"},"values":[[1,"1"]]}]}})";
  const char* cand = R"({"status":"success","data":{"resultType":"matrix","result":[
      {"metric":{"job":"a"},"values":[[1,"1"],[2,"2.5"],[3,"3"]]},{"metric":{"job":"c"},"values":[[1,"1"]]}]}})";
  auto k = kinds(compare_query_responses(ok(ref), ok(cand), {}));
  std::sort(k.begin(), k.end());
  EXPECT_EQ(k, (std::vector<std::string>{"extra point", "extra series", "missing series", "value mismatch"}));
}

TEST(CompareTest, TimestampsToTheMillisecond) {
  const char* a = R"({"status":"success","data":{"resultType":"scalar","result":[1700000000.001,"1"]}})";
  const char* b = R"({"status":"success","data":{"resultType":"scalar","result":[1700000000,"1"]}})";
  EXPECT_EQ(kinds(compare_query_responses(ok(a), ok(b), {})), std::vector<std::string>{"value mismatch"});
}

TEST(CompareTest, ResultTypeAndWarnings) {
  const char* vec = R"({"status":"success","data":{"resultType":"vector","result":[]}})";
  const char* mat = R"({"status":"success","data":{"resultType":"matrix","result":[]}})";
  const char* warn = R"({"status":"success","warnings":["w"],"data":{"resultType":"vector","result":[]}})";
  EXPECT_EQ(kinds(compare_query_responses(ok(vec), ok(mat), {})), std::vector<std::string>{"resultType mismatch"});
  EXPECT_EQ(kinds(compare_query_responses(ok(vec), ok(warn), {})), std::vector<std::string>{"warnings mismatch"});
}

TEST(CompareTest, ErrorsNeedSameTypeAndForBadDataSameMessage) {
  HttpResult parse1{400, R"({"status":"error","errorType":"bad_data","error":"1:5: parse error: x"})", ""};
  HttpResult parse2{400, R"({"status":"error","errorType":"bad_data","error":"1:6: parse error: x"})", ""};
  HttpResult exec1{422, R"({"status":"error","errorType":"execution","error":"many-to-many a"})", ""};
  HttpResult exec2{422, R"({"status":"error","errorType":"execution","error":"many-to-many b"})", ""};
  HttpResult exec500{500, R"({"status":"error","errorType":"execution","error":"many-to-many b"})", ""};
  EXPECT_TRUE(compare_query_responses(parse1, parse1, {}).empty());
  EXPECT_EQ(kinds(compare_query_responses(parse1, parse2, {})), std::vector<std::string>{"error message mismatch"});
  EXPECT_TRUE(compare_query_responses(exec1, exec2, {}).empty());
  EXPECT_EQ(kinds(compare_query_responses(exec1, exec500, {})), std::vector<std::string>{"HTTP status mismatch"});
  EXPECT_EQ(kinds(compare_query_responses(parse1, exec1, {})),
            (std::vector<std::string>{"HTTP status mismatch", "errorType mismatch"}));
  EXPECT_EQ(kinds(compare_query_responses(parse1, ok(kVectorAB), {})), std::vector<std::string>{"missing error"});
  EXPECT_EQ(kinds(compare_query_responses(ok(kVectorAB), exec1, {})), std::vector<std::string>{"unexpected error"});
  EXPECT_EQ(kinds(compare_query_responses(ok(kVectorAB), {0, "", "connect: refused"}, {})),
            std::vector<std::string>{"no answer"});
  EXPECT_EQ(kinds(compare_query_responses(ok(kVectorAB), {404, "404 page not found", ""}, {})),
            std::vector<std::string>{"malformed response"});
}

TEST(ComparePlainTest, LabelValuesExact) {
  EXPECT_TRUE(compare_plain_responses(ok(R"({"status":"success","data":["a","b"]})"),
                                      ok(R"({"status":"success","data":["a","b"]})"), {})
                  .empty());
  EXPECT_FALSE(compare_plain_responses(ok(R"({"status":"success","data":["a","b"]})"),
                                       ok(R"({"status":"success","data":["b","a"]})"), {})
                   .empty());
}

TEST(CorpusTest, LabelValuesQueriesAndPlaceholders) {
  std::string sel, label;
  ASSERT_TRUE(parse_label_values_query(R"q(label_values(x{a=~"(b|c)"}, model))q", &sel, &label));
  EXPECT_EQ(sel, R"q(x{a=~"(b|c)"})q");
  EXPECT_EQ(label, "model");
  EXPECT_FALSE(parse_label_values_query("sum(x)", &sel, &label));
  EXPECT_EQ(substitute_placeholders("up @ ${DATA_START} + up @ ${DATA_END}", 1000000, 2000000), "up @ 1000 + up @ 2000");
}

TEST(RemoteWriteTest, EncodesSortedLabelsAndSamples) {
  std::string body = encode_write_request({{{{"job", "a"}, {"__name__", "up"}}, {{1, 1.0}}}});
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
  // WriteRequest{timeseries: {labels: [__name__=up, job=a], samples: [{1.0, 1}]}}
  const std::string expected = std::string("\x0a\x27", 2) + "\x0a\x0e" + "\x0a\x08__name__\x12\x02up" + "\x0a\x08" +
                               "\x0a\x03job\x12\x01" + "a" + "\x12\x0b\x09" + std::string("\0\0\0\0\0\0\xf0\x3f", 8) +
                               "\x10\x01";
  EXPECT_EQ(raw, expected);
  uint64_t bits;
  double stale = stale_nan();
  std::memcpy(&bits, &stale, 8);
  EXPECT_EQ(bits, 0x7ff0000000000002ULL);
}

TEST(DatasetTest, DeterministicAndShapedLikeScrapes) {
  const int64_t end = 1'700'000'040'000;  // a multiple of 15 s
  Dataset a = build_dataset(end), b = build_dataset(end);
  ASSERT_EQ(a.series.size(), b.series.size());
  EXPECT_GT(a.series.size(), 2000u);
  EXPECT_EQ(a.start_ms, end - 660 * kStepMs);
  size_t stale = 0;
  std::map<std::string, int> names;
  for (size_t i = 0; i < a.series.size(); ++i) {
    ASSERT_EQ(a.series[i].labels, b.series[i].labels);
    ASSERT_EQ(a.series[i].samples.size(), b.series[i].samples.size());
    for (size_t k = 0; k < a.series[i].samples.size(); ++k) {
      const RwSample& s = a.series[i].samples[k];
      ASSERT_EQ(std::memcmp(&s.value, &b.series[i].samples[k].value, 8), 0);
      if (k > 0) {
        ASSERT_GT(s.t_ms, a.series[i].samples[k - 1].t_ms);
      }
      ASSERT_GE(s.t_ms, a.start_ms - 1000);
      ASSERT_LE(s.t_ms, a.end_ms + 1000);
      uint64_t bits;
      std::memcpy(&bits, &s.value, 8);
      if (bits == 0x7ff0000000000002ULL) ++stale;
    }
    for (const auto& [k, v] : a.series[i].labels)
      if (k == "__name__") ++names[v];
  }
  EXPECT_GT(stale, 100u);
  for (const char* n : {"up", "bot_api_calls_total", "bot_response_time_bucket", "http_request_duration_seconds_bucket",
                        "token_consume_total", "jvm_memory_max_bytes", "node_filesystem_avail_bytes", "threshold"})
    EXPECT_GT(names[n], 0) << n;
  // Every request body fits well within receivers' limits.
  for (const std::string& body : encode_in_windows(a, 20)) EXPECT_LT(body.size(), 8u << 20);
}

}  // namespace
}  // namespace strata::difftest
