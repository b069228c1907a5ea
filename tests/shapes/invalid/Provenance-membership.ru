# A membership stated in the announcement without a quote: provenance holds for the new classes too.
# expect: this fact has no provenance
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
PREFIX person:  <id/person/>
PREFIX member:  <id/membership/>
PREFIX agr:     <id/agreement/>
PREFIX quot:    <id/quotation/>
PREFIX count:   <id/count/>
PREFIX ref:     <https://reference.example/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

INSERT DATA { GRAPH <graph/reference> {
    person:erika-beispiel a rit:Person ; rdfs:label "Erika Beispiel"@de , "Erika Beispiel"@en ;
        dcterms:source ref:erika-beispiel .
} } ;
INSERT DATA { GRAPH <graph/announcement/mini> {
    member:erika-beispiel-jetro a rit:Membership ;
        rdfs:label "Erika Beispiel bei JETRO"@de , "Erika Beispiel at JETRO"@en ;
        rit:member person:erika-beispiel ; rit:organisation orgn:jetro ; rit:roleName "Koordinatorin"@de .
} }
