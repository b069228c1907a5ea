# A property misspelt the same way in a fact and in its statement: the statement names a stated fact,
# and the provenance rule only looks at the ontology's properties.
# shape: KnownTerm
# expect: the property is not defined in the ontology
# says: rit:partcipant <id/organisation/cluster>: the property is not defined in the ontology: correct it; did you mean rit:participant?
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

DELETE DATA { GRAPH <graph/reference> { ev:fair-visit rit:participant orgn:cluster } } ;
INSERT DATA { GRAPH <graph/reference> { ev:fair-visit rit:partcipant orgn:cluster } }
