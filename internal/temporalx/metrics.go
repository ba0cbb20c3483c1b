package temporalx

import (
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// timerBuckets (seconds) span workflow task latencies of milliseconds up to
// end-to-end workflow latencies of an hour.
var timerBuckets = []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600}

// NewMetricsHandler returns an SDK metrics handler that registers each
// metric on reg when first used: counters and gauges under the SDK's names,
// timers as histograms named NAME_seconds.
//
// A metric's labels are the tag names of its first use. Prometheus needs
// one label set per name, so later uses with other tags get "" for missing
// labels and lose the extra ones. A name that reg already holds as another
// kind of metric is not recorded.
func NewMetricsHandler(reg prometheus.Registerer) client.MetricsHandler {
	return &metricsHandler{families: &families{reg: reg, byName: map[string]*family{}}}
}

type metricsHandler struct {
	families *families
	tags     map[string]string
}

func (h *metricsHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	maps.Copy(merged, tags)
	return &metricsHandler{families: h.families, tags: merged}
}

func (h *metricsHandler) Counter(name string) client.MetricsCounter {
	f := h.families.get(name, h.tags, func(labels []string) prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: "Temporal SDK counter."}, labels)
	})
	if vec, ok := f.vec.(*prometheus.CounterVec); ok {
		return promCounter{vec.WithLabelValues(f.values(h.tags)...)}
	}
	return client.MetricsNopHandler.Counter(name)
}

func (h *metricsHandler) Gauge(name string) client.MetricsGauge {
	f := h.families.get(name, h.tags, func(labels []string) prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: "Temporal SDK gauge."}, labels)
	})
	if vec, ok := f.vec.(*prometheus.GaugeVec); ok {
		return promGauge{vec.WithLabelValues(f.values(h.tags)...)}
	}
	return client.MetricsNopHandler.Gauge(name)
}

func (h *metricsHandler) Timer(name string) client.MetricsTimer {
	name += "_seconds"
	f := h.families.get(name, h.tags, func(labels []string) prometheus.Collector {
		return prometheus.NewHistogramVec(
			prometheus.HistogramOpts{Name: name, Help: "Temporal SDK timer.", Buckets: timerBuckets}, labels)
	})
	if vec, ok := f.vec.(*prometheus.HistogramVec); ok {
		return promTimer{vec.WithLabelValues(f.values(h.tags)...)}
	}
	return client.MetricsNopHandler.Timer(name)
}

type promCounter struct{ c prometheus.Counter }

func (c promCounter) Inc(d int64) { c.c.Add(float64(d)) }

type promGauge struct{ g prometheus.Gauge }

func (g promGauge) Update(v float64) { g.g.Set(v) }

type promTimer struct{ o prometheus.Observer }

func (t promTimer) Record(d time.Duration) { t.o.Observe(d.Seconds()) }

// families holds the collectors shared by a handler and those derived from
// it with WithTags.
type families struct {
	reg    prometheus.Registerer
	mu     sync.Mutex
	byName map[string]*family
}

type family struct {
	labels []string             // sorted
	vec    prometheus.Collector // nil if it could not be registered
}

func (fs *families) get(name string, tags map[string]string,
	create func(labels []string) prometheus.Collector) *family {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if f, ok := fs.byName[name]; ok {
		return f
	}
	f := &family{labels: slices.Sorted(maps.Keys(tags))}
	vec := create(f.labels)
	err := fs.reg.Register(vec)
	var exists prometheus.AlreadyRegisteredError
	switch {
	case err == nil:
		f.vec = vec
	case errors.As(err, &exists):
		f.vec = exists.ExistingCollector
	}
	fs.byName[name] = f
	return f
}

func (f *family) values(tags map[string]string) []string {
	vs := make([]string, len(f.labels))
	for i, l := range f.labels {
		vs[i] = tags[l]
	}
	return vs
}
