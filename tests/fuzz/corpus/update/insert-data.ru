PREFIX ex: <http://example.org/>
INSERT DATA { ex:a ex:p "x" . GRAPH ex:g2 { ex:a ex:p 1 } }