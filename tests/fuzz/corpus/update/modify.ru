PREFIX ex: <http://example.org/>
WITH ex:g1 DELETE { ?s ?p ?o } INSERT { ?s ?p "new" } WHERE { ?s ?p ?o }