package elle

// explainDeps says why txn y depends on txn x, trying the rw-register
// explainers in Elle's order (elle.rw-register/graph combines wr, ww, rw);
// nil if none applies.
func (a *analysis) explainDeps(x, y *txn) map[string]any {
	for _, k := range sortedMapKeys(x.extWrites) {
		if v, ok := y.extReads[k]; ok && v == x.extWrites[k] {
			return map[string]any{"type": "wr", "key": rawJSON(k), "value": rawJSON(v)}
		}
	}
	for _, k := range sortedMapKeys(x.extWrites) {
		if vy, ok := y.extWrites[k]; ok && a.versions[k][x.extWrites[k]][vy] {
			return map[string]any{"type": "ww", "key": rawJSON(k), "value": rawJSON(x.extWrites[k]), "value'": rawJSON(vy)}
		}
	}
	for _, k := range sortedMapKeys(x.extReads) {
		if vy, ok := y.extWrites[k]; ok && a.versions[k][x.extReads[k]][vy] {
			return map[string]any{"type": "rw", "key": rawJSON(k), "value": rawJSON(x.extReads[k]), "value'": rawJSON(vy)}
		}
	}
	return nil
}
