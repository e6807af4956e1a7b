class Echo:
    """predict only: returns X."""
    def predict(self, X, names, meta=None):
        return X

class Full:
    """Every hook, identity-like."""
    def predict(self, X, names, meta=None):
        return X
    def transform_input(self, X, names, meta=None):
        return X
    def transform_output(self, X, names, meta=None):
        return X
    def route(self, X, names, meta=None):
        return -1
    def aggregate(self, Xs, names_list):
        return Xs[0]
    def send_feedback(self, X, names, reward, truth, routing=None):
        return None
    def tags(self):
        return {"mytag": 1}

class Fixed:
    """predict returns a fixed structure."""
    def predict(self, X, names, meta=None):
        return {"a": [1, 2.5, "x"], "b": None}
