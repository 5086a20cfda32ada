// Package metrics holds wmory's Prometheus metrics. Each process builds one
// Metrics with its own registry; nothing is registered globally.
package metrics

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the instruments the API and the workers update.
type Metrics struct {
	registry       *prometheus.Registry
	HTTPRequests   *prometheus.CounterVec
	HTTPDuration   *prometheus.HistogramVec
	Uploads        *prometheus.CounterVec
	QuotaRefusals  prometheus.Counter
	Jobs           *prometheus.CounterVec
	ProcessingTime *prometheus.HistogramVec
	StoreEvents    *prometheus.CounterVec
	ReadyTime      prometheus.Histogram
}

// Source reads state that is measured at scrape time (queue and pool).
type Source interface {
	QueueStats(ctx context.Context) (queued, running int, oldest time.Duration, err error)
	PoolStats() (open, inUse, idle int, waitCount int64)
}

// New makes the metrics and registers them, with Go runtime and process
// metrics, on a registry of their own.
func New(src Source) *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wmory_http_requests_total",
			Help: "HTTP requests by route pattern, method and status."}, []string{"route", "method", "status"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "wmory_http_request_duration_seconds",
			Help: "HTTP request latency by route pattern.", Buckets: prometheus.DefBuckets}, []string{"route"}),
		Uploads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wmory_uploads_total",
			Help: "Uploads authorized, completed and rejected (with the reason)."}, []string{"outcome", "reason"}),
		QuotaRefusals: prometheus.NewCounter(prometheus.CounterOpts{Name: "wmory_quota_refusals_total",
			Help: "Upload authorizations refused by the daily quota."}),
		Jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wmory_jobs_total",
			Help: "Jobs run by this process, by kind and outcome (done, retried, failed)."}, []string{"kind", "outcome"}),
		ProcessingTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "wmory_processing_seconds",
			Help: "Time to process one media item, by kind.", Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"kind"}),
		StoreEvents: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "wmory_store_arrivals_total",
			Help: "Uploads' bytes seen arriving in the store, by who saw them (local_store, webhook, nats, lambda, sweep) and outcome (completed, rejected, ignored, missing, error)."},
			[]string{"source", "outcome"}),
		ReadyTime: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "wmory_media_ready_seconds",
			Help: "Time from an original's bytes being stored to the item being ready.", Buckets: []float64{.25, .5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600}}),
	}
	m.registry.MustRegister(m.HTTPRequests, m.HTTPDuration, m.Uploads, m.QuotaRefusals, m.Jobs, m.ProcessingTime, m.StoreEvents, m.ReadyTime,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if src != nil {
		m.registry.MustRegister(&sourceCollector{src: src})
	}
	return m
}

// Handler serves the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

var (
	queuedDesc  = prometheus.NewDesc("wmory_jobs_queued", "Jobs due and waiting for a worker (all processes).", nil, nil)
	runningDesc = prometheus.NewDesc("wmory_jobs_running", "Jobs leased by a worker (all processes).", nil, nil)
	ageDesc     = prometheus.NewDesc("wmory_jobs_oldest_age_seconds", "Age of the oldest due job.", nil, nil)
	poolDesc    = prometheus.NewDesc("wmory_db_connections", "Database pool connections by state.", []string{"state"}, nil)
	waitDesc    = prometheus.NewDesc("wmory_db_wait_total", "Times a request waited for a database connection.", nil, nil)
)

type sourceCollector struct{ src Source }

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{queuedDesc, runningDesc, ageDesc, poolDesc, waitDesc} {
		ch <- d
	}
}

func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if queued, running, oldest, err := c.src.QueueStats(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(queuedDesc, prometheus.GaugeValue, float64(queued))
		ch <- prometheus.MustNewConstMetric(runningDesc, prometheus.GaugeValue, float64(running))
		ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, oldest.Seconds())
	}
	open, inUse, idle, waits := c.src.PoolStats()
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(open), "open")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(inUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(idle), "idle")
	ch <- prometheus.MustNewConstMetric(waitDesc, prometheus.CounterValue, float64(waits))
}
