# A misspelt resource IRI, in a fact and in its statement alike.
# shape: Described
# expect: names a resource that nothing describes
# says: rit:about <id/partnership/cluster-kitakyshu>: names a resource that nothing describes (no type, no label): describe it, or correct the IRI; did you mean <id/partnership/cluster-kitakyushu>?
PREFIX rit:     <ontology#>
PREFIX place:   <id/place/>
PREFIX orgn:    <id/organisation/>
PREFIX deleg:   <id/delegation/>
PREFIX prog:    <id/programme/>
PREFIX sel:     <id/selection/>
PREFIX app:     <id/application/>
PREFIX part:    <id/partnership/>
PREFIX ev:      <id/event/>
PREFIX market:  <id/market/>
PREFIX ind:     <id/indicator/>
PREFIX dist:    <id/distance/>
PREFIX ann:     <id/announcement/>
PREFIX q:       <id/announcement/mini/quote/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

DELETE { GRAPH <graph/announcement/mini> { ann:mini rit:about part:cluster-kitakyushu . ?statement rdf:object part:cluster-kitakyushu } }
INSERT { GRAPH <graph/announcement/mini> { ann:mini rit:about part:cluster-kitakyshu . ?statement rdf:object part:cluster-kitakyshu } }
WHERE { GRAPH <graph/announcement/mini> { ?statement rdf:predicate rit:about ; rdf:object part:cluster-kitakyushu } }
