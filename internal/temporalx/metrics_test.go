package temporalx

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMetricsHandler(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := NewMetricsHandler(reg).WithTags(map[string]string{"namespace": "default"})
	queue := h.WithTags(map[string]string{"task_queue": "q"})
	queue.Counter("temporal_request").Inc(2)
	queue.Counter("temporal_request").Inc(1)
	// Other tags than on first use: missing labels are empty, extra dropped.
	h.WithTags(map[string]string{"operation": "Poll"}).Counter("temporal_request").Inc(4)
	// Another handler on the same registry shares the registered counter.
	NewMetricsHandler(reg).WithTags(map[string]string{"namespace": "default", "task_queue": "q"}).
		Counter("temporal_request").Inc(10)
	// The name is taken by a counter, so this gauge is not recorded.
	h.Gauge("temporal_request").Update(100)
	h.Gauge("temporal_num_pollers").Update(3)
	queue.Timer("temporal_request_latency").Record(1500 * time.Millisecond)

	want := map[string]float64{
		`temporal_request{namespace="default",task_queue="q"}`:                       13,
		`temporal_request{namespace="default",task_queue=""}`:                        4,
		`temporal_num_pollers{namespace="default"}`:                                  3,
		`temporal_request_latency_seconds_count{namespace="default",task_queue="q"}`: 1,
		`temporal_request_latency_seconds_sum{namespace="default",task_queue="q"}`:   1.5,
	}
	got := gather(t, reg)
	for series, v := range want {
		if got[series] != v {
			t.Errorf("%s = %v, want %v", series, got[series], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("gathered %v, want only %v", got, want)
	}
}

// gather returns reg's series as "name{label="value",...}" → value, with a
// histogram as its _count and _sum.
func gather(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			suffix := "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				series[f.GetName()+suffix] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				series[f.GetName()+suffix] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				series[f.GetName()+"_count"+suffix] = float64(m.GetHistogram().GetSampleCount())
				series[f.GetName()+"_sum"+suffix] = m.GetHistogram().GetSampleSum()
			}
		}
	}
	return series
}
